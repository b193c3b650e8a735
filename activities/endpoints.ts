// Activities of the endpoint workflows: their transitions and scores, written
// through the one transition module (src/db/endpoints.ts), and the capability
// tests. Domain refusals become non-retryable failures with a type the
// workflow's retry policy names.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../src/db/client';
import { recordScores, transition, type EndpointPatch, type TransitionInput, type TransitionResult } from '../src/db/endpoints';
import { StaleTransition, UnknownAccount } from '../src/domain/errors';
import type { TestHarness } from '../src/harness/harness';
import type { CapabilityTest } from '../src/domain/endpoint';
import { faultPoint } from '../src/fault-injection';

export type { EndpointPatch, TransitionInput, TransitionResult };

export function endpointActivities(db: Db, harness?: TestHarness) {
  return {
    async recordTransition(input: TransitionInput): Promise<TransitionResult> {
      try {
        const result = await transition(db, input);
        // the fault suite's kill right after a transition commits: the retry must recognise its own commit
        faultPoint('worker-after-transition');
        return result;
      } catch (err) {
        if (err instanceof StaleTransition) throw ApplicationFailure.create({ type: 'StaleTransition', nonRetryable: true, message: err.message });
        if (err instanceof UnknownAccount) throw ApplicationFailure.create({ type: 'UnknownAccount', nonRetryable: true, message: err.message });
        throw err;
      }
    },

    /** Scores that change without a transition (a quality report). */
    async recordScores(input: { endpointId: string; version: number; set: EndpointPatch }): Promise<void> {
      await recordScores(db, input);
    },

    async runCapabilityTest(input: { address: string; test: CapabilityTest }) {
      if (!harness) throw ApplicationFailure.nonRetryable('no test harness configured', 'NoHarness');
      const result = await harness.run(input.address, input.test);
      return { test: input.test, ...result };
    },
  };
}
