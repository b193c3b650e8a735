// Endpoint repository writes made on behalf of endpoint workflows. Every state
// change is a compare-and-set on (state, version) that writes the history row
// in the same transaction, so a retried activity never applies or records a
// transition twice.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../src/db/client';
import type { TestHarness } from '../src/harness/harness';
import type { Capabilities, CapabilityTest, EndpointStateName } from '../workflows/shared';

/** Columns a transition may set besides state and version. */
export interface EndpointPatch {
  accountId?: string | null;
  reservedUntil?: number | null;
  quarantineUntil?: number | null;
  applicationUri?: string | null;
  enabled?: Capabilities;
  voiceCleanliness?: number;
  messagingCleanliness?: number;
  qualityScore?: number | null;
}

export interface TransitionInput {
  endpointId: string;
  from: EndpointStateName;
  /** the version the workflow last saw; the row must still have it */
  fromVersion: number;
  to: EndpointStateName;
  cause: string;
  actor: string;
  details?: Record<string, unknown>;
  set?: EndpointPatch;
}

export interface TransitionResult {
  version: number;
}

const date = (ms: number | null | undefined) => (ms === undefined ? undefined : ms === null ? null : new Date(ms));

function columns(p: EndpointPatch = {}) {
  return {
    accountId: p.accountId,
    reservedUntil: date(p.reservedUntil),
    quarantineUntil: date(p.quarantineUntil),
    applicationUri: p.applicationUri,
    voiceEnabled: p.enabled?.voice,
    smsEnabled: p.enabled?.sms,
    mmsEnabled: p.enabled?.mms,
    faxEnabled: p.enabled?.fax,
    voiceCleanliness: p.voiceCleanliness,
    messagingCleanliness: p.messagingCleanliness,
    qualityScore: p.qualityScore,
  };
}

export function endpointActivities(db: Db, harness?: TestHarness) {
  return {
    async recordTransition(input: TransitionInput): Promise<TransitionResult> {
      const next = input.fromVersion + 1;
      return db.$transaction(async (tx) => {
        if (input.set?.accountId) {
          const account = await tx.account.findUnique({ where: { id: input.set.accountId }, select: { active: true } });
          if (!account?.active) {
            throw ApplicationFailure.create({
              type: 'UnknownAccount',
              nonRetryable: true,
              message: `accountId: no active account ${input.set.accountId}`,
            });
          }
        }
        const { count } = await tx.endpoint.updateMany({
          where: { id: input.endpointId, state: input.from, version: input.fromVersion },
          data: { ...columns(input.set), state: input.to, version: next, stateChangedAt: new Date() },
        });
        if (count === 0) {
          const row = await tx.endpoint.findUnique({
            where: { id: input.endpointId },
            select: { state: true, version: true },
          });
          // an earlier attempt of this very activity committed: same answer again
          if (row && row.version === next && row.state === input.to) return { version: next };
          throw ApplicationFailure.create({
            type: 'StaleTransition',
            nonRetryable: true,
            message: row
              ? `endpoint ${input.endpointId} is ${row.state} v${row.version}, expected ${input.from} v${input.fromVersion}`
              : `endpoint ${input.endpointId} does not exist`,
          });
        }
        await tx.endpointHistory.create({
          data: {
            endpointId: input.endpointId,
            version: next,
            fromState: input.from,
            toState: input.to,
            cause: input.cause,
            actor: input.actor,
            details: (input.details ?? {}) as object,
          },
        });
        return { version: next };
      });
    },

    /** Scores that change without a transition (a quality report). */
    async recordScores(input: { endpointId: string; version: number; set: EndpointPatch }): Promise<void> {
      await db.endpoint.updateMany({
        where: { id: input.endpointId, version: input.version },
        data: columns(input.set),
      });
    },

    async runCapabilityTest(input: { address: string; test: CapabilityTest }) {
      if (!harness) throw ApplicationFailure.nonRetryable('no test harness configured', 'NoHarness');
      const result = await harness.run(input.address, input.test);
      return { test: input.test, ...result };
    },
  };
}
