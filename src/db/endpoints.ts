// The one writer of `endpoints`, `endpoint_history` and `allocation_resumes`.
// Every change of an endpoint's state goes through here: workflow transitions
// (transition), the entry of new numbers at ingest and port-in
// (enterRepository), reconciliation's repair (repairFromWorkflow); and the
// writes that are not state changes: scores (recordScores) and claims
// (claim / letGo). A state change is a compare-and-set on (state, version)
// that records, in the history row of the same statement, the operation that
// made it — so a retry recognises its own commit, never another operation's.
import { Prisma } from './generated/client';
import type { Db } from './client';
import { withMeasuredTags, type TaggedRow } from '../domain/classification';
import { TIMED_STATES, type Capabilities, type EndpointStateName } from '../domain/endpoint';
import { StaleTransition, UnknownAccount } from '../domain/errors';
import type { Place } from '../domain/geo';
import { constrainsAllocation, effectiveRule, regulationRefusal } from '../domain/regulation';
import { rulesForEndpoint } from './country-rules';

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
  /**
   * What made this change: the workflow update's id, or the workflow's own
   * step. Recorded with the history row; "already applied" means applied by
   * this operation.
   */
  operation: string;
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

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

interface CurrentRow extends TaggedRow {
  version: number;
  accountId: string | null;
}

/** The row as it is: the compare-and-set reads this; `lock` holds it until the transaction ends. */
async function readRow(db: Db | Tx, endpointId: string, lock = false): Promise<CurrentRow | undefined> {
  const rows = await db.$queryRaw<CurrentRow[]>`
    SELECT state, version, account_id AS "accountId", classifier_tags AS "classifierTags", voice_capable AS "voiceCapable", sms_capable AS "smsCapable",
           mms_capable AS "mmsCapable", fax_capable AS "faxCapable", voice_enabled AS "voiceEnabled",
           sms_enabled AS "smsEnabled", mms_enabled AS "mmsEnabled", fax_enabled AS "faxEnabled",
           quality_score AS "qualityScore", voice_cleanliness AS "voiceCleanliness",
           messaging_cleanliness AS "messagingCleanliness"
      FROM endpoints WHERE id = ${endpointId}::uuid ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
  return rows[0];
}

/**
 * The compare-and-set did not apply: was this transition made already by
 * this same operation (an earlier attempt whose answer was lost — also when
 * the same workflow went on to make later ones before its task was lost and
 * re-ran), or did another operation move the row (StaleTransition)?
 */
async function settledAfter(db: Db, input: TransitionInput, next: number): Promise<TransitionResult> {
  const [made] = await db.$queryRaw<{ operation: string | null; from: string | null; to: string }[]>`
    SELECT operation, from_state::text AS "from", to_state::text AS "to"
      FROM endpoint_history WHERE endpoint_id = ${input.endpointId}::uuid AND version = ${next}`;
  if (made && made.operation === input.operation && made.from === input.from && made.to === input.to) return { version: next };
  const row = await readRow(db, input.endpointId);
  // a row written before operations were recorded (null) cannot be told apart: taken as this one's if the row is there now
  if (made && made.operation === null && row && row.version === next && row.state === input.to) return { version: next };
  if (made && row && row.version === next && row.state === input.to) {
    throw new StaleTransition(
      `endpoint ${input.endpointId} reached ${row.state} v${row.version} by another operation (${made.operation ?? 'unknown'}), not ${input.operation}`,
    );
  }
  throw new StaleTransition(
    row
      ? `endpoint ${input.endpointId} is ${row.state} v${row.version}, expected ${input.from} v${input.fromVersion}`
      : `endpoint ${input.endpointId} does not exist`,
  );
}

/** the partial unique index that keeps an allocate update's id to one endpoint (migration 20261204000000_one_allocation_per_operation) */
const ALLOCATE_OPERATION_INDEX = 'endpoint_history_allocate_operation_key';

/** An allocate update's transition to ALLOCATED: its id, `<operation>:allocate`, may allocate one endpoint only. */
function isAllocateOperation(input: TransitionInput): boolean {
  return input.to === 'ALLOCATED' && input.operation.endsWith(':allocate');
}

/** The endpoint another transition of this allocate update made ALLOCATED, if any. */
async function allocatedElsewhere(db: Db, input: TransitionInput): Promise<string | undefined> {
  const [other] = await db.$queryRaw<{ address: string }[]>`
    SELECT e.address FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id
     WHERE h.operation = ${input.operation} AND h.to_state = 'ALLOCATED' AND h.operation LIKE '%:allocate'
       AND h.endpoint_id <> ${input.endpointId}::uuid`;
  return other?.address;
}

/**
 * The refusal of an allocate update whose operation allocated another
 * endpoint already — a request's earlier attempt, applied late or in
 * parallel: that endpoint is the operation's answer, this one stays as it is.
 */
function oneAllocationPerOperation(input: TransitionInput, other: string | undefined): StaleTransition {
  return new StaleTransition(
    `${input.operation} allocated ${other ?? 'another endpoint'} already: one allocation operation allocates one endpoint, so endpoint ${input.endpointId} stays ${input.from}`,
  );
}

/**
 * A new holder's transition under the number's country rules
 * (src/domain/regulation.ts): a country without rules that restrict
 * allocation costs one read; otherwise, in one transaction, a lock per
 * account and country (so two allocations cannot both see room under a
 * cap), the account's facts (an address on file, the numbers it holds there),
 * then the same compare-and-set — or RegulationRefused naming the rule.
 */
async function regulated<T>(db: Db, endpointId: string, account: string, write: (q: Db | Tx) => Promise<T>): Promise<T> {
  const found = await rulesForEndpoint(db, endpointId);
  const rule = found ? effectiveRule(found.rules, found.country, found.kind) : null;
  if (!constrainsAllocation(rule)) return write(db);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`regulation:${account}:${rule.country}`}))`;
      const kind = rule.capPerKind ? rule.kind : null;
      const [facts] = await tx.$queryRaw<{ held: number; addressOnFile: boolean }[]>`
      SELECT (SELECT count(*)::int FROM endpoints
               WHERE account_id = ${account} AND country = ${rule.country} AND id <> ${endpointId}::uuid
                 AND state IN ('ALLOCATED', 'RESERVED', 'TESTING', 'PORTING_IN', 'PORTING_OUT')
                 AND (${kind}::text IS NULL OR kind = ${kind}::"EndpointKind")) AS held,
             EXISTS (SELECT 1 FROM account_addresses WHERE account_id = ${account} AND country = ${rule.country}) AS "addressOnFile"`;
      const [row] = await tx.$queryRaw<{ address: string }[]>`SELECT address FROM endpoints WHERE id = ${endpointId}::uuid`;
      const refusal = regulationRefusal(rule, facts!, row?.address ?? endpointId);
      if (refusal) throw refusal;
      return write(tx);
    },
    // allocations to one account in one country queue on the lock: give them time (the activity's own timeout is 30 s)
    { maxWait: 10_000, timeout: 25_000 },
  );
}

/**
 * A workflow's transition. Two round trips, no interactive transaction: read
 * the row, then one statement that updates it only if it still has the state
 * and version the workflow saw (and the account is active) and inserts the
 * history row from the update's result — atomic, as a single statement is.
 * A new holder must be an active account; a transition that keeps the holder
 * it has (a retest coming back, a port-in completing) goes on even after that
 * account was deactivated, so its number can then be released.
 * The workflow is the row's only writer of what the tags are computed from, so
 * the unlocked read cannot be overtaken; the version check would refuse it if
 * it were. Safe to retry: an attempt whose first one committed gets the same
 * answer.
 */
export async function transition(db: Db, input: TransitionInput): Promise<TransitionResult> {
  const next = input.fromVersion + 1;
  const row = await readRow(db, input.endpointId);
  if (!row || row.state !== input.from || row.version !== input.fromVersion) return settledAfter(db, input, next);
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
  // one allocation operation, one endpoint: not if its update id allocated another already
  const allocating = isAllocateOperation(input);
  const write = (q: Db | Tx) => q.$queryRaw<{ version: number }[]>`
    WITH upd AS (
      UPDATE endpoints SET ${Prisma.join(assignments, ', ')}
       WHERE id = ${input.endpointId}::uuid AND state = ${input.from}::"EndpointState" AND version = ${input.fromVersion}
         AND (${account}::text IS NULL OR account_id IS NOT DISTINCT FROM ${account}
              OR EXISTS (SELECT 1 FROM accounts WHERE id = ${account} AND active))
         AND NOT (${allocating}::boolean AND EXISTS (
               SELECT 1 FROM endpoint_history
                WHERE operation = ${input.operation} AND to_state = 'ALLOCATED' AND operation LIKE '%:allocate'
                  AND endpoint_id <> ${input.endpointId}::uuid))
      RETURNING id, account_id)
    INSERT INTO endpoint_history (endpoint_id, version, from_state, to_state, cause, actor, operation, details, account_id)
    SELECT id, ${next}, ${input.from}::"EndpointState", ${input.to}::"EndpointState", ${input.cause}, ${input.actor}, ${input.operation},
           ${JSON.stringify(input.details ?? {})}::jsonb, account_id
      FROM upd
    RETURNING version`;
  // a new holder (allocated or reserved from the shelf) must meet the number's country rules, and so must a
  // reservation's conversion to an allocation: judged again under the rules as they are now (its holder's
  // other numbers counted, not this one); a refusal leaves the reservation as it was
  const takesHolder = account !== null && row.accountId !== account && (input.to === 'ALLOCATED' || input.to === 'RESERVED');
  const converts = account !== null && input.from === 'RESERVED' && input.to === 'ALLOCATED';
  let written: { version: number }[];
  try {
    written = takesHolder || converts ? await regulated(db, input.endpointId, account, write) : await write(db);
  } catch (err) {
    // the same operation's transition of another endpoint committed while this one was being written
    if (allocating && err instanceof Error && err.message.includes(ALLOCATE_OPERATION_INDEX)) {
      throw oneAllocationPerOperation(input, await allocatedElsewhere(db, input));
    }
    throw err;
  }
  if (written.length) return { version: next };
  if (allocating) {
    const other = await allocatedElsewhere(db, input);
    if (other) throw oneAllocationPerOperation(input, other);
  }
  if (account && row.accountId !== account) {
    const acct = await db.account.findUnique({ where: { id: account }, select: { active: true } });
    if (!acct?.active) throw new UnknownAccount(account);
  }
  // the row moved between the read and the write (or a concurrent attempt wrote it)
  return settledAfter(db, input, next);
}

/** Scores that change without a transition (a quality report); a row that moved on since is left to its next transition. */
export async function recordScores(db: Db, input: { endpointId: string; version: number; set: EndpointPatch }): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await readRow(tx, input.endpointId, true);
    if (!row || row.version !== input.version) return;
    await tx.endpoint.update({
      where: { id: input.endpointId },
      data: { ...columns(input.set), classifierTags: withMeasuredTags(row, input.set) },
    });
  });
}

/** A new number as ingest hands it over: parsed, classified, with what it should be able to do. */
export interface NewEndpoint {
  address: string;
  kind: string;
  country: string | null;
  npa: string | null;
  nxx: string | null;
  line: string | null;
  digits: string;
  /** every classifier tag, sorted */
  tags: string[];
  capable: Capabilities;
  monthlyCostCents: number;
  /** where it is (src/domain/geo.ts), with what its carrier said of it */
  place: Place & { rateCenter: string | null; lata: string | null };
}

export interface Entry {
  state: 'QUARANTINE' | 'PORTING_IN';
  cause: string;
  actor: string;
  /** what brings them in: `ingest:<order>`, `port-in:<request>`, `import:<run>` */
  operation: string;
  accountId?: string | null;
  providerId?: string | null;
  orderId?: string | null;
  quarantineUntil: Date | null;
  /** what the entry carried, in its history row (the country rule that set the quarantine) */
  details?: Record<string, unknown>;
}

/**
 * Numbers entering the repository at version 1 with their first history row,
 * in one statement. An address already here is left as it is (not returned):
 * safe to repeat.
 */
export async function enterRepository(db: Db, rows: NewEndpoint[], entry: Entry): Promise<{ id: string; address: string }[]> {
  if (!rows.length) return [];
  const version = 1;
  const cap = (k: keyof Capabilities) => rows.map((r) => r.capable[k]);
  const geo = (k: keyof NewEndpoint['place']) => rows.map((r) => r.place[k]);
  return db.$queryRaw<{ id: string; address: string }[]>`
    WITH input AS (
      SELECT * FROM unnest(
        ${rows.map((r) => r.address)}::text[], ${rows.map((r) => r.kind)}::text[],
        ${rows.map((r) => r.country)}::text[], ${rows.map((r) => r.npa)}::text[],
        ${rows.map((r) => r.nxx)}::text[], ${rows.map((r) => r.line)}::text[],
        ${rows.map((r) => r.digits)}::text[], ${rows.map((r) => r.tags.join('\u0001'))}::text[],
        ${cap('voice')}::boolean[], ${cap('sms')}::boolean[], ${cap('mms')}::boolean[], ${cap('fax')}::boolean[],
        ${rows.map((r) => r.monthlyCostCents)}::int[],
        ${geo('place')}::text[], ${geo('region')}::text[], ${geo('locality')}::text[], ${geo('timeZone')}::text[],
        ${geo('latitude')}::float8[], ${geo('longitude')}::float8[], ${geo('postalCode')}::text[],
        ${geo('rateCenter')}::text[], ${geo('lata')}::text[]
      ) AS t(address, kind, country, npa, nxx, line, digits, tags, voice, sms, mms, fax, cost,
             place, region, locality, time_zone, latitude, longitude, postal_code, rate_center, lata)
    ), ins AS (
      INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, classifier_tags,
                             voice_capable, sms_capable, mms_capable, fax_capable, monthly_cost_cents,
                             place, region, locality, time_zone, latitude, longitude, postal_code, rate_center, lata, geo_checked_at,
                             state, version, account_id, provider_id, order_id, quarantine_until)
      SELECT address, kind::"EndpointKind", country, npa, nxx, line, digits, string_to_array(tags, E'\\x01'),
             voice, sms, mms, fax, cost,
             place, region, locality, time_zone, latitude, longitude, postal_code, rate_center, lata, now(),
             ${entry.state}::"EndpointState", ${version}, ${entry.accountId ?? null}, ${entry.providerId ?? null},
             ${entry.orderId ?? null}::uuid, ${entry.quarantineUntil}
        FROM input
      ON CONFLICT (address) DO NOTHING
      RETURNING id, address, account_id
    ), hist AS (
      INSERT INTO endpoint_history (endpoint_id, version, from_state, to_state, cause, actor, operation, details, account_id)
      SELECT id, ${version}, ${entry.state === 'QUARANTINE' ? 'ORDERED' : null}::"EndpointState", ${entry.state}::"EndpointState",
             ${entry.cause}, ${entry.actor}, ${entry.operation}, ${JSON.stringify(entry.details ?? {})}::jsonb, account_id
        FROM ins
    )
    SELECT id::text, address FROM ins`;
}

/** What reconciliation's repair takes from a running workflow. */
export interface WorkflowSide {
  state: EndpointStateName;
  version: number;
  accountId: string | null;
  reservedUntil: number | null;
  /** when its timed phase ends; kept as quarantine_until in TIMED_STATES, null otherwise */
  phaseEndsAt: number | null;
  enabled: Capabilities;
}

/**
 * Reconciliation's repair: the row takes what its running workflow holds —
 * state, version, holder, capabilities offered, reservation and phase
 * deadlines (and the tags computed from them) — only if the row is still as
 * the reconciler read it (compare-and-set on state, version and holder), with
 * a history row saying so.
 */
export async function repairFromWorkflow(
  db: Db,
  row: { id: string; state: EndpointStateName; version: number; accountId: string | null },
  wf: WorkflowSide,
  operation: string,
  cause = `reconciliation: row was ${row.state} v${row.version}, workflow ${wf.state} v${wf.version}`,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const now = await readRow(tx, row.id, true);
    // a row that moved since it was read is left: its next reading judges it again
    if (!now || now.state !== row.state || now.version !== row.version || now.accountId !== row.accountId) return false;
    const tags = withMeasuredTags(now, { enabled: wf.enabled }, wf.state);
    await tx.$executeRaw`
      UPDATE endpoints SET state = ${wf.state}::"EndpointState", version = ${wf.version}, account_id = ${wf.accountId},
             reserved_until = ${date(wf.reservedUntil) ?? null},
             quarantine_until = ${TIMED_STATES.includes(wf.state) ? (date(wf.phaseEndsAt) ?? null) : null},
             voice_enabled = ${wf.enabled.voice}, sms_enabled = ${wf.enabled.sms}, mms_enabled = ${wf.enabled.mms}, fax_enabled = ${wf.enabled.fax},
             classifier_tags = ${tags}::text[],
             state_changed_at = CASE WHEN state = ${wf.state}::"EndpointState" THEN state_changed_at ELSE now() END, updated_at = now()
       WHERE id = ${row.id}::uuid`;
    // drift at the same version (a row changed by hand) keeps the history row that version has
    await tx.$executeRaw`
      INSERT INTO endpoint_history (endpoint_id, version, from_state, to_state, cause, actor, operation, account_id)
      VALUES (${row.id}::uuid, ${wf.version}, ${row.state}::"EndpointState", ${wf.state}::"EndpointState", ${cause}, 'reconciler', ${operation}, ${wf.accountId})
      ON CONFLICT (endpoint_id, version) DO NOTHING`;
    return true;
  });
}

// ------------------------------------------------------------------ claims

/** How long a claim holds a candidate while its workflow allocates it. */
export const CLAIM_SECONDS = 30;
/**
 * How many of the best matches a claim looks at before it locks one. Only
 * claims still in flight (uncommitted) can take a whole window; then the claim
 * looks again at every match.
 */
export const CLAIM_WINDOW = 64;
/** How far down the shelf (best first) a claim walks before it looks up its matches by their tags instead. */
export const CLAIM_WALK = 1000;

/**
 * Claims the best AVAILABLE, unclaimed match for `tags` for CLAIM_SECONDS, in
 * one statement. First the best CLAIM_WINDOW matches are found without locks,
 * two ways, each bounded: for criteria without an area code or exchange, a
 * walk down the top CLAIM_WALK of the shelf, best first
 * (endpoints_available_best_idx) — enough when they match much of the shelf
 * (country:us, cap:sms), where sorting every match cost ~1 s over 600,000
 * endpoints; when the walk finds fewer than a window (or for an area code),
 * the matches themselves through the tags index, top-N sorted.
 * (The second is kept off the best-first index on purpose: a walk that does
 * not stop early reads the whole shelf.) Then the first of the window nobody
 * holds is locked (SKIP LOCKED: concurrent claims spread over the window and
 * never share a row; the lock re-checks state and claim). Only when every row
 * of a full window was held by claims in flight does it look at every match.
 * A keyed request also records what it claimed, so its retry resumes there.
 */
export async function claim(
  db: Db,
  input: { tags: string[]; token: string; except?: string; resumable: boolean },
): Promise<{ id: string; address: string } | undefined> {
  const except = input.except ?? '';
  // an area code or exchange narrows the matches to one place: straight to the tags index
  const walk = input.tags.some((t) => t.startsWith('npa:') || t.startsWith('nxx:')) ? 0 : CLAIM_WALK;
  for (const window of [CLAIM_WINDOW, null]) {
    const [row] = await db.$queryRaw<{ id: string | null; address: string | null; seen: number }[]>`
      WITH walked AS MATERIALIZED (
        SELECT id FROM (
          SELECT id, address, classifier_tags, claimed_until FROM endpoints
           WHERE state = 'AVAILABLE'
           ORDER BY quality_score DESC NULLS LAST, address
           LIMIT ${walk}::int) best
         WHERE classifier_tags @> ${input.tags}::text[] AND (claimed_until IS NULL OR claimed_until < now()) AND address <> ${except}
         LIMIT ${window}::int
      ), candidates AS MATERIALIZED (
        SELECT id FROM walked
        UNION ALL
        SELECT id FROM (
          SELECT id FROM endpoints
           WHERE state = 'AVAILABLE' AND classifier_tags @> ${input.tags}::text[]
             AND (claimed_until IS NULL OR claimed_until < now()) AND address <> ${except}
           ORDER BY quality_score + 0 DESC NULLS LAST, address
           LIMIT ${window}::int) matched
         WHERE ${window}::int IS NULL OR (SELECT count(*) FROM walked) < ${window}::int
      ), claimed AS (
        UPDATE endpoints SET claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS}), claim_token = ${input.token}::uuid
         WHERE id = (
           SELECT id FROM endpoints
            WHERE id = ANY (ARRAY(SELECT id FROM candidates))
              AND state = 'AVAILABLE' AND (claimed_until IS NULL OR claimed_until < now())
            ORDER BY quality_score + 0 DESC NULLS LAST, address
            LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, address
      ), resume AS (
        INSERT INTO allocation_resumes (token, endpoint_id)
        SELECT ${input.token}::uuid, id FROM claimed WHERE ${input.resumable}
        ON CONFLICT (token) DO UPDATE SET endpoint_id = EXCLUDED.endpoint_id, created_at = now()
      )
      SELECT (SELECT id::text FROM claimed) AS id, (SELECT address FROM claimed) AS address,
             (SELECT count(DISTINCT id) FROM candidates)::int AS seen`;
    if (row?.id && row.address) return { id: row.id, address: row.address };
    // fewer matches than a window: none left that nobody holds
    if (window === null || (row?.seen ?? 0) < window) return undefined;
  }
  return undefined;
}

/** Lets go of a claim this token holds (its workflow refused, or has none). */
export async function letGo(db: Db, endpointId: string, token: string): Promise<void> {
  await db.$executeRaw`UPDATE endpoints SET claimed_until = NULL, claim_token = NULL WHERE id = ${endpointId}::uuid AND claim_token = ${token}::uuid`;
}

/** The address a keyed request's earlier attempt claimed, if any. */
export async function claimedBefore(db: Db, token: string): Promise<string | undefined> {
  const [row] = await db.$queryRaw<{ address: string }[]>`
    SELECT e.address FROM allocation_resumes r JOIN endpoints e ON e.id = r.endpoint_id WHERE r.token = ${token}::uuid`;
  return row?.address;
}

/** What keyed allocations claimed is needed as long as their idempotency records are. */
export async function sweepResumes(db: Db, olderThanMs: number): Promise<void> {
  await db.$executeRaw`DELETE FROM allocation_resumes WHERE created_at < now() - make_interval(secs => ${olderThanMs / 1000})`;
}

/** Rows the place data has not been applied to yet, by id after `afterId` (the geo backfill's work list). */
export async function geoUnchecked(db: Db, afterId: string | null, limit: number): Promise<{ id: string; address: string }[]> {
  return db.$queryRaw<{ id: string; address: string }[]>`
    SELECT id::text, address FROM endpoints
     WHERE geo_checked_at IS NULL AND (${afterId}::uuid IS NULL OR id > ${afterId}::uuid)
     ORDER BY id LIMIT ${limit}`;
}

export async function countGeoUnchecked(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM endpoints WHERE geo_checked_at IS NULL`;
  return Number(row?.n ?? 0);
}

/**
 * Writes each row's place (src/domain/geo.ts) and puts its place tags
 * (region, locality, tz) in place of any it had, in one statement; the
 * rate center and LATA a carrier gave are kept. The grouping counts follow
 * the tags (their triggers).
 */
export async function applyPlaces(db: Db, rows: { id: string; place: Place; placeTags: string[] }[]): Promise<number> {
  if (!rows.length) return 0;
  const geo = (k: keyof Place) => rows.map((r) => r.place[k]);
  return db.$executeRaw`
    WITH input AS (
      SELECT * FROM unnest(
        ${rows.map((r) => r.id)}::uuid[], ${geo('place')}::text[], ${geo('region')}::text[], ${geo('locality')}::text[],
        ${geo('timeZone')}::text[], ${geo('latitude')}::float8[], ${geo('longitude')}::float8[], ${geo('postalCode')}::text[],
        ${rows.map((r) => r.placeTags.join('\u0001'))}::text[]
      ) AS t(id, place, region, locality, time_zone, latitude, longitude, postal_code, tags)
    )
    UPDATE endpoints e
       SET place = i.place, region = i.region, locality = i.locality, time_zone = i.time_zone,
           latitude = i.latitude, longitude = i.longitude, postal_code = coalesce(e.postal_code, i.postal_code),
           classifier_tags = ARRAY(
             SELECT t FROM unnest(e.classifier_tags) AS t WHERE split_part(t, ':', 1) NOT IN ('region', 'locality', 'tz')
             UNION SELECT t FROM unnest(string_to_array(i.tags, E'\\x01')) AS t WHERE t <> ''
             ORDER BY 1),
           geo_checked_at = now()
      FROM input i
     WHERE e.id = i.id`;
}

/** Every row back on the geo backfill's work list (after the place data changed). */
export async function markGeoUnchecked(db: Db): Promise<number> {
  return db.$executeRaw`UPDATE endpoints SET geo_checked_at = NULL WHERE geo_checked_at IS NOT NULL`;
}

// ------------------------------------------------------------ holder's settings

/**
 * The holder changes where its number's traffic goes (the routing lookup's
 * application_uri) while it holds it. Not a state change: state and version
 * are left alone, so the workflow's compare-and-set is not disturbed (its
 * transitions write application_uri only when allocating or releasing). The
 * holder is checked in the same statement; false when `accountId` does not
 * hold it now.
 */
export async function setApplicationUri(db: Db, input: { address: string; accountId: string; applicationUri: string | null }): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE endpoints SET application_uri = ${input.applicationUri}, updated_at = now()
     WHERE address = ${input.address} AND account_id = ${input.accountId} AND state IN ('ALLOCATED', 'PORTING_OUT', 'TESTING')`;
  return n === 1;
}
