// Activities of the endpoint workflows: their transitions and scores, written
// through the one transition module (src/db/endpoints.ts), and the capability
// tests. Domain refusals become non-retryable failures with a type the
// workflow's retry policy names.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../src/db/client';
import { recordScores, transition, type EndpointPatch, type TransitionInput, type TransitionResult } from '../src/db/endpoints';
import { RegulationRefused, StaleTransition, UnknownAccount } from '../src/domain/errors';
import { rulesForEndpoint } from '../src/db/country-rules';
import { effectiveRule } from '../src/domain/regulation';
import { REGULATION_REFUSED, type AgingRule } from '../workflows/shared';
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
        // the API answers it with the rule's own code (src/temporal/errors.ts)
        if (err instanceof RegulationRefused) {
          throw ApplicationFailure.create({ type: REGULATION_REFUSED, nonRetryable: true, message: err.message, details: [{ rule: err.rule, ...err.facts }] });
        }
        throw err;
      }
    },

    /**
     * How long a released number ages: its country's rule (for its kind, or
     * for every kind), resolved when the transition is made — a rule changed
     * later applies to the next release. Null: no rule sets it (the
     * workflow's policy, QUARANTINE_AGING, applies).
     */
    async agingRule(input: { endpointId: string }): Promise<AgingRule> {
      const found = await rulesForEndpoint(db, input.endpointId);
      const rule = found ? effectiveRule(found.rules, found.country, found.kind) : null;
      if (rule?.agingMs == null) return { agingMs: null, rule: null };
      // the rule that set it: the kind's own, else the country's for every kind
      const from = found!.rules.find((r) => r.kind === found!.kind && r.agingSeconds !== null) ?? found!.rules.find((r) => r.kind === null);
      return { agingMs: rule.agingMs, rule: { country: rule.country, kind: from?.kind ?? null, version: from?.version ?? 0, agingMs: rule.agingMs } };
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
