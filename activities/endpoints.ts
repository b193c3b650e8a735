// Endpoint repository writes made on behalf of endpoint workflows. Every state
// change is a compare-and-set on (state, version) that writes the history row
// in the same transaction, so a retried activity never applies or records a
// transition twice.
import { ApplicationFailure } from '@temporalio/common';
import { Prisma } from '../src/db/generated/client';
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

/** The row as it is: the compare-and-set of recordTransition reads this; `lock` holds it until the transaction ends. */
async function readRow(db: Db | Tx, endpointId: string, lock = false): Promise<CurrentRow | undefined> {
  const rows = await db.$queryRaw<CurrentRow[]>`
    SELECT state, version, classifier_tags AS "classifierTags", voice_capable AS "voiceCapable", sms_capable AS "smsCapable",
           mms_capable AS "mmsCapable", fax_capable AS "faxCapable", voice_enabled AS "voiceEnabled",
           sms_enabled AS "smsEnabled", mms_enabled AS "mmsEnabled", fax_enabled AS "faxEnabled",
           quality_score AS "qualityScore", voice_cleanliness AS "voiceCleanliness",
           messaging_cleanliness AS "messagingCleanliness"
      FROM endpoints WHERE id = ${endpointId}::uuid ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
  return rows[0];
}

function settledAfter(row: CurrentRow | undefined, input: TransitionInput, next: number): TransitionResult {
  if (row && row.version === next && row.state === input.to) return { version: next };
  throw ApplicationFailure.create({
    type: 'StaleTransition',
    nonRetryable: true,
    message: row
      ? `endpoint ${input.endpointId} is ${row.state} v${row.version}, expected ${input.from} v${input.fromVersion}`
      : `endpoint ${input.endpointId} does not exist`,
  });
}

/** columns() keys → column names */
const COLUMN = {
  accountId: 'account_id',
  reservedUntil: 'reserved_until',
  quarantineUntil: 'quarantine_until',
  applicationUri: 'application_uri',
  voiceEnabled: 'voice_enabled',
  smsEnabled: 'sms_enabled',
  mmsEnabled: 'mms_enabled',
  faxEnabled: 'fax_enabled',
  voiceCleanliness: 'voice_cleanliness',
  messagingCleanliness: 'messaging_cleanliness',
  qualityScore: 'quality_score',
} as const satisfies Record<keyof ReturnType<typeof columns>, string>;

const MEASURED = new Set(
  (Object.entries(DIMENSIONS) as [string, { source: string }][]).filter(([, d]) => d.source === 'measured').map(([k]) => k),
);

export function endpointActivities(db: Db, harness?: TestHarness) {
  return {
    async recordTransition(input: TransitionInput): Promise<TransitionResult> {
      const next = input.fromVersion + 1;
      // Two round trips, no interactive transaction: read the row, then one
      // statement that updates it only if it still has the state and version
      // the workflow saw (and the account is active) and inserts the history
      // row from the update's result — atomic, as a single statement is. The
      // workflow is the row's only writer of what the tags are computed from,
      // so the unlocked read cannot be overtaken; the version check would
      // refuse it if it were.
      const row = await readRow(db, input.endpointId);
      // a retried attempt whose first one committed gets the same answer; anything else is stale
      if (!row || row.state !== input.from || row.version !== input.fromVersion) return settledAfter(row, input, next);
      const set = input.set ?? {};
      const assignments = [
        Prisma.sql`state = ${input.to}::"EndpointState"`,
        Prisma.sql`version = ${next}`,
        Prisma.sql`state_changed_at = now()`,
        Prisma.sql`updated_at = now()`,
        Prisma.sql`classifier_tags = ${withMeasuredTags(row, set, input.to)}::text[]`,
        ...Object.entries(columns(set))
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => Prisma.sql`${Prisma.raw(COLUMN[k as keyof typeof COLUMN])} = ${v}`),
      ];
      const account = set.accountId ?? null;
      const written = await db.$queryRaw<{ version: number }[]>`
        WITH upd AS (
          UPDATE endpoints SET ${Prisma.join(assignments, ', ')}
           WHERE id = ${input.endpointId}::uuid AND state = ${input.from}::"EndpointState" AND version = ${input.fromVersion}
             AND (${account}::text IS NULL OR EXISTS (SELECT 1 FROM accounts WHERE id = ${account} AND active))
          RETURNING id)
        INSERT INTO endpoint_history (endpoint_id, version, from_state, to_state, cause, actor, details)
        SELECT id, ${next}, ${input.from}::"EndpointState", ${input.to}::"EndpointState", ${input.cause}, ${input.actor}, ${JSON.stringify(input.details ?? {})}::jsonb
          FROM upd
        RETURNING version`;
      if (written.length) return { version: next };
      if (account) {
        const acct = await db.account.findUnique({ where: { id: account }, select: { active: true } });
        if (!acct?.active) {
          throw ApplicationFailure.create({ type: 'UnknownAccount', nonRetryable: true, message: `accountId: no active account ${account}` });
        }
      }
      // the row moved between the read and the write (or a concurrent attempt wrote it)
      return settledAfter(await readRow(db, input.endpointId), input, next);
    },

    /** Scores that change without a transition (a quality report). */
    async recordScores(input: { endpointId: string; version: number; set: EndpointPatch }): Promise<void> {
      await db.$transaction(async (tx) => {
        const row = await readRow(tx, input.endpointId, true);
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
