// The one writer of `inactivity_notices` (the inactivity policy, issue 18),
// and its reads of what an allocated endpoint's holder did with it: when the
// holding began (its first ALLOCATED history row after the last row of
// another holder, or none) and the holder's last use since (endpoint_usage).
import { Prisma } from './generated/client';
import type { Db } from './client';

/** The current holding of endpoint `e`: the version and time of its first ALLOCATED row after the last row of anyone else. */
const HOLDING = Prisma.sql`
  SELECT h.version AS holding_version, h.at AS allocated_at FROM endpoint_history h
   WHERE h.endpoint_id = e.id AND h.to_state = 'ALLOCATED' AND h.account_id = e.account_id
     AND h.version > coalesce((SELECT max(x.version) FROM endpoint_history x
                                WHERE x.endpoint_id = e.id AND x.account_id IS DISTINCT FROM e.account_id), 0)
   ORDER BY h.version LIMIT 1`;

export interface IdleHolding {
  endpointId: string;
  address: string;
  accountId: string;
  holdingVersion: number;
  idleSince: Date;
}

/**
 * ALLOCATED endpoints with no open notice whose holder has not used them
 * since `cutoff` or before (nor since their allocation): the ones due a
 * notice. A holding whose history predates the history's account column
 * counts from its last state change.
 */
export async function idleHoldings(db: Db, cutoff: Date, limit: number): Promise<IdleHolding[]> {
  return db.$queryRaw<IdleHolding[]>`
    SELECT * FROM (
      SELECT e.id::text AS "endpointId", e.address, e.account_id AS "accountId",
             coalesce(a.holding_version, e.version) AS "holdingVersion",
             GREATEST(coalesce(a.allocated_at, e.state_changed_at), coalesce(lu.last_used_at, '-infinity')) AS "idleSince"
        FROM endpoints e
        LEFT JOIN LATERAL (${HOLDING}) a ON true
        LEFT JOIN LATERAL (
          SELECT max(u.last_used_at) AS last_used_at FROM endpoint_usage u
           WHERE u.endpoint_id = e.id AND u.account_id = e.account_id
             AND u.day >= (coalesce(a.allocated_at, e.state_changed_at) AT TIME ZONE 'UTC')::date) lu ON true
       WHERE e.state = 'ALLOCATED' AND e.account_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM inactivity_notices n WHERE n.endpoint_id = e.id AND n.closed_at IS NULL)) x
     WHERE "idleSince" <= ${cutoff}
     ORDER BY "idleSince", "endpointId"
     LIMIT ${limit}`;
}

export interface NoticeRow {
  id: string;
  endpointId: string;
  address: string;
  accountId: string;
  holdingVersion: number;
  idleSince: Date;
  notifiedAt: Date;
  releaseAt: Date;
  sentAt: Date | null;
}

const NOTICE_COLUMNS = Prisma.sql`id::text, endpoint_id::text AS "endpointId", address, account_id AS "accountId", holding_version AS "holdingVersion",
  idle_since AS "idleSince", notified_at AS "notifiedAt", release_at AS "releaseAt", sent_at AS "sentAt"`;

/**
 * Records the notices; one already recorded for the same idle period (or any
 * open one for the endpoint) is not written again — and not returned.
 */
export async function insertNotices(db: Db, rows: (IdleHolding & { notifiedAt: Date; releaseAt: Date })[]): Promise<NoticeRow[]> {
  if (!rows.length) return [];
  const json = JSON.stringify(rows);
  return db.$queryRaw<NoticeRow[]>`
    INSERT INTO inactivity_notices (endpoint_id, address, account_id, holding_version, idle_since, notified_at, release_at)
    SELECT (d->>'endpointId')::uuid, d->>'address', d->>'accountId', (d->>'holdingVersion')::int, (d->>'idleSince')::timestamptz,
           (d->>'notifiedAt')::timestamptz, (d->>'releaseAt')::timestamptz
      FROM jsonb_array_elements(${json}::jsonb) AS d
    ON CONFLICT DO NOTHING
    RETURNING ${NOTICE_COLUMNS}`;
}

/** Open notices the platform's webhook has not taken yet (a failed delivery is retried by the next attempt). */
export async function unsentNotices(db: Db, limit: number): Promise<NoticeRow[]> {
  return db.$queryRaw<NoticeRow[]>`
    SELECT ${NOTICE_COLUMNS} FROM inactivity_notices WHERE closed_at IS NULL AND sent_at IS NULL ORDER BY notified_at, id LIMIT ${limit}`;
}

/** The platform took the notice at `at`; its release is at `releaseAt` (later than first set when the delivery was late). */
export async function markSent(db: Db, id: string, at: Date, releaseAt: Date): Promise<void> {
  await db.$executeRaw`UPDATE inactivity_notices SET sent_at = ${at}, release_at = ${releaseAt} WHERE id = ${id}::uuid AND sent_at IS NULL`;
}

export interface OpenNoticeState extends NoticeRow {
  state: string;
  /** the endpoint's holder now */
  holder: string | null;
  /** the version the holder's current holding began at; null: none found */
  currentHolding: number | null;
  /** the noticed holder's last use since the idle period began (null: none) */
  lastUsedAt: Date | null;
}

/** Every open notice with what its endpoint and its holder's usage say now. */
export async function openNotices(db: Db, limit: number): Promise<OpenNoticeState[]> {
  return db.$queryRaw<OpenNoticeState[]>`
    SELECT n.id::text, n.endpoint_id::text AS "endpointId", n.address, n.account_id AS "accountId", n.holding_version AS "holdingVersion",
           n.idle_since AS "idleSince", n.notified_at AS "notifiedAt", n.release_at AS "releaseAt", n.sent_at AS "sentAt",
           e.state::text AS state, e.account_id AS holder, coalesce(a.holding_version, e.version) AS "currentHolding", lu.last_used_at AS "lastUsedAt"
      FROM inactivity_notices n JOIN endpoints e ON e.id = n.endpoint_id
      LEFT JOIN LATERAL (${HOLDING}) a ON true
      LEFT JOIN LATERAL (
        SELECT max(u.last_used_at) AS last_used_at FROM endpoint_usage u
         WHERE u.endpoint_id = n.endpoint_id AND u.account_id = n.account_id
           AND u.day >= (n.idle_since AT TIME ZONE 'UTC')::date) lu ON true
     WHERE n.closed_at IS NULL
     ORDER BY n.release_at, n.id
     LIMIT ${limit}`;
}

/** Closes an open notice (compare-and-set: a notice closed already stays as it was closed). */
export async function closeNotice(
  db: Db,
  id: string,
  outcome: 'used' | 'released' | 'moved',
  at: Date,
  details: Record<string, unknown> = {},
): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE inactivity_notices SET outcome = ${outcome}, closed_at = ${at}, details = details || ${JSON.stringify(details)}::jsonb
     WHERE id = ${id}::uuid AND closed_at IS NULL`;
  return n > 0;
}

export type NoticeRecord = NoticeRow & { outcome: string | null; closedAt: Date | null };

/** An endpoint's notices, newest first, of these accounts (all: null) (insight, tests). */
export async function noticesOf(db: Db, endpointId: string, accountIds: string[] | null = null): Promise<NoticeRecord[]> {
  return db.$queryRaw`
    SELECT ${NOTICE_COLUMNS}, outcome, closed_at AS "closedAt" FROM inactivity_notices
     WHERE endpoint_id = ${endpointId}::uuid AND (${accountIds === null} OR account_id = ANY(${accountIds ?? []}::text[]))
     ORDER BY notified_at DESC, id
     LIMIT 100`;
}
