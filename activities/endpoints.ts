// Activities of the endpoint workflows: their transitions and scores, written
// through the one transition module (src/db/endpoints.ts), and the capability
// tests. Domain refusals become non-retryable failures with a type the
// workflow's retry policy names.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Db } from '../src/db/client';
import { recordScores, transition, type EndpointPatch, type TransitionInput, type TransitionResult } from '../src/db/endpoints';
import { RegulationRefused, StaleTransition, UnknownAccount } from '../src/domain/errors';
import { rulesForEndpoint } from '../src/db/country-rules';
import { effectiveRule } from '../src/domain/regulation';
import { REGULATION_REFUSED, type AgingRule, type QuarantineRule } from '../workflows/shared';
import type { Harness } from '../src/harness/harness';
import type { CapabilityTest } from '../src/domain/endpoint';
import { TEST_TRAFFIC, testPayload } from '../src/domain/harness';
import { CarrierRejected } from '../src/carriers/adapter';
import { createProbe, findProbe, probeTarget } from '../src/db/probes';
import { routeName } from '../src/usecases/test-arrival';
import { judgeArrival } from '../workflows/endpoint.machine';
import { alertHolder, type AlertDeps, type HolderAlert } from '../src/usecases/alert-holder';
import { faultPoint } from '../src/fault-injection';

export type { EndpointPatch, TransitionInput, TransitionResult };

export interface TestRequested {
  /** false: the carrier network could not be asked (none, or it refused): the test failed with `detail` */
  requested: boolean;
  detail: string;
  /** how long the workflow waits for the arrival (the medium's HARNESS_TIMEOUT_*) */
  timeoutMs: number;
}

export function endpointActivities(db: Db, harness?: Harness, alerts?: AlertDeps) {
  /** Writes the test (its nonce), then asks the number's carrier network to place it. */
  async function requestCapabilityTest(input: { endpointId: string; address: string; test: CapabilityTest; nonce: string }): Promise<TestRequested> {
    if (!harness) throw ApplicationFailure.nonRetryable('no test harness configured', 'NoHarness');
    const { medium, direction } = TEST_TRAFFIC[input.test];
    const timeoutMs = harness.timeouts[medium];
    const target = await harness.networkFor((await probeTarget(db, input.address))?.providerId ?? null);
    if ('none' in target) return { requested: false, detail: target.none, timeoutMs };
    await createProbe(db, {
      nonce: input.nonce,
      endpointId: input.endpointId,
      address: input.address,
      test: input.test,
      medium,
      direction,
      providerId: target.providerId,
      deadlineAt: new Date(Date.now() + timeoutMs),
    });
    try {
      await target.network.requestTestTraffic({ address: input.address, medium, direction, payload: testPayload(input.nonce) });
    } catch (err) {
      // a final refusal fails the test; anything else (5xx, timeouts) is retried by the activity's policy
      if (err instanceof CarrierRejected) return { requested: false, detail: `the carrier refused the test: ${err.message}`, timeoutMs };
      throw err;
    }
    return { requested: true, detail: `asked ${target.providerId ?? `the ${harness.kind} network`}`, timeoutMs };
  }

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

    /**
     * How long a delivered number rests (the workflow's own ORDERED →
     * QUARANTINE step): its country's rule, as ingest resolves it for the
     * numbers it enters in quarantine itself. Null: no rule sets it
     * (QUARANTINE_NEW, the workflow's policy).
     */
    async quarantineRule(input: { endpointId: string }): Promise<QuarantineRule> {
      const found = await rulesForEndpoint(db, input.endpointId);
      const rule = found ? effectiveRule(found.rules, found.country, found.kind) : null;
      if (rule?.quarantineMs == null) return { quarantineMs: null, rule: null };
      const from = found!.rules.find((r) => r.kind === found!.kind && r.quarantineSeconds !== null) ?? found!.rules.find((r) => r.kind === null);
      return {
        quarantineMs: rule.quarantineMs,
        rule: { country: rule.country, kind: from?.kind ?? null, version: from?.version ?? 0, quarantineMs: rule.quarantineMs },
      };
    },

    /** Scores that change without a transition (a quality report). */
    async recordScores(input: { endpointId: string; version: number; set: EndpointPatch }): Promise<void> {
      await recordScores(db, input);
    },

    requestCapabilityTest,

    /** A failed re-test of an allocated number: the platform's webhook (retried by the workflow's policy) and the log. */
    async alertHolder(input: HolderAlert): Promise<{ sent: boolean }> {
      if (!alerts) throw ApplicationFailure.nonRetryable('no alert channel configured', 'NoAlerts');
      return alertHolder(alerts, input);
    },

    /**
     * The one-activity test of runs that began before the workflow waited for
     * arrivals itself (patched 'harness-test-traffic'): the same real test, its
     * arrival watched in capability_probes from here, heartbeating (a retry
     * after a crash places a fresh test).
     */
    async runCapabilityTest(input: { address: string; test: CapabilityTest }) {
      const target = await probeTarget(db, input.address);
      if (!target) return { test: input.test, passed: false, detail: `no endpoint ${input.address}` };
      const nonce = randomUUID();
      const asked = await requestCapabilityTest({ endpointId: target.endpointId, address: input.address, test: input.test, nonce });
      if (!asked.requested) return { test: input.test, passed: false, detail: asked.detail };
      // within the activity's 2 minutes
      const end = Date.now() + Math.min(asked.timeoutMs, 100_000);
      for (;;) {
        const row = await findProbe(db, nonce);
        if (row?.arrivedAt && row.arrivedNumber) {
          const expectedRoute = await routeName(db, input.address);
          const routedTo = row.routedTo ?? '';
          return judgeArrival(
            input.address,
            input.test,
            {
              number: row.arrivedNumber,
              routedAsLookup: routedTo === expectedRoute,
              routedTo,
              expectedRoute,
              oneWayAudio: row.oneWayAudio ?? false,
              at: row.arrivedAt.getTime(),
            },
            asked.timeoutMs,
          );
        }
        if (Date.now() >= end) return judgeArrival(input.address, input.test, undefined, asked.timeoutMs);
        Context.current().heartbeat();
        await Context.current().sleep(500);
      }
    },
  };
}
