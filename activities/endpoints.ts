// Endpoint repository writes made on behalf of endpoint workflows. Every state
// change is a compare-and-set on (state, version) that writes the history row
// in the same transaction, so a retried activity never applies or records a
// transition twice.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../src/db/client';
import type { TestHarness } from '../src/harness/harness';
import { DIMENSIONS, measuredTags } from '../src/domain/classification';
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

interface CurrentRow {
  state: EndpointStateName;
  version: number;
  classifierTags: string[];
  voiceCapable: boolean;
  smsCapable: boolean;
  mmsCapable: boolean;
  faxCapable: boolean;
  voiceEnabled: boolean;
  smsEnabled: boolean;
  mmsEnabled: boolean;
  faxEnabled: boolean;
  qualityScore: number | null;
  voiceCleanliness: number;
  messagingCleanliness: number;
}

/** On its way to the shelf: not offered yet, but counted for what it should become. */
const PIPELINE: readonly EndpointStateName[] = ['ORDERED', 'QUARANTINE', 'AGING', 'TESTING', 'PORTING_IN'];

/**
 * Inherent tags stay; measured ones (cap, quality, clean) follow the new
 * values. A number in the pipeline carries the capabilities it is expected to
 * have (what its carrier says it can do), so a grouping like `cap:sms` counts
 * it as on its way; testing then replaces them with what passed.
 */
export function withMeasuredTags(row: CurrentRow, p: EndpointPatch = {}, state: EndpointStateName = row.state): string[] {
  const inherent = row.classifierTags.filter((t) => !MEASURED.has(t.slice(0, t.indexOf(':'))));
  const expected = { voice: row.voiceCapable, sms: row.smsCapable, mms: row.mmsCapable, fax: row.faxCapable };
  const measured = measuredTags({
    enabled: PIPELINE.includes(state) ? expected : (p.enabled ?? { voice: row.voiceEnabled, sms: row.smsEnabled, mms: row.mmsEnabled, fax: row.faxEnabled }),
    qualityScore: p.qualityScore !== undefined ? p.qualityScore : row.qualityScore,
    voiceCleanliness: p.voiceCleanliness ?? row.voiceCleanliness,
    messagingCleanliness: p.messagingCleanliness ?? row.messagingCleanliness,
  });
  return [...new Set([...inherent, ...measured])].sort();
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** The row as it is, locked until the transaction ends: the compare-and-set reads this. */
async function lockRow(tx: Tx, endpointId: string): Promise<CurrentRow | undefined> {
  const rows = await tx.$queryRaw<CurrentRow[]>`
    SELECT state, version, classifier_tags AS "classifierTags", voice_capable AS "voiceCapable", sms_capable AS "smsCapable",
           mms_capable AS "mmsCapable", fax_capable AS "faxCapable", voice_enabled AS "voiceEnabled",
           sms_enabled AS "smsEnabled", mms_enabled AS "mmsEnabled", fax_enabled AS "faxEnabled",
           quality_score AS "qualityScore", voice_cleanliness AS "voiceCleanliness",
           messaging_cleanliness AS "messagingCleanliness"
      FROM endpoints WHERE id = ${endpointId}::uuid FOR UPDATE`;
  return rows[0];
}

const MEASURED = new Set(
  (Object.entries(DIMENSIONS) as [string, { source: string }][]).filter(([, d]) => d.source === 'measured').map(([k]) => k),
);

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
        const row = await lockRow(tx, input.endpointId);
        if (!row || row.state !== input.from || row.version !== input.fromVersion) {
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
        await tx.endpoint.update({
          where: { id: input.endpointId },
          data: {
            ...columns(input.set),
            state: input.to,
            version: next,
            stateChangedAt: new Date(),
            classifierTags: withMeasuredTags(row, input.set, input.to),
          },
        });
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
      await db.$transaction(async (tx) => {
        const row = await lockRow(tx, input.endpointId);
        if (!row || row.version !== input.version) return; // moved on since: the next transition writes the scores
        await tx.endpoint.update({
          where: { id: input.endpointId },
          data: { ...columns(input.set), classifierTags: withMeasuredTags(row, input.set) },
        });
      });
    },

    async runCapabilityTest(input: { address: string; test: CapabilityTest }) {
      if (!harness) throw ApplicationFailure.nonRetryable('no test harness configured', 'NoHarness');
      const result = await harness.run(input.address, input.test);
      return { test: input.test, ...result };
    },
  };
}
