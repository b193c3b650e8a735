// The one writer of `unmet_searches`: demand the shelf could not meet (an
// empty search, a criteria allocation with nothing left), which the monitor
// weighs; pruned after HISTORY_RETENTION. One account's demand for one set of
// criteria is kept once per window (UNMET_DEMAND_WINDOW): the unique index
// on (account, tags, bucket) turns a repeat into nothing.
import type { Db } from './client';

/**
 * Records demand the shelf could not meet, unless this account asked for the
 * same criteria earlier in the same window (`windowMs`, buckets aligned to
 * the epoch on the database's clock). True when it was recorded.
 */
export async function recordUnmet(db: Db, input: { tags: string[]; accountId: string | null; windowMs: number }): Promise<boolean> {
  const stride = `${Math.max(1, Math.round(input.windowMs))} milliseconds`;
  const inserted = await db.$executeRaw`
    INSERT INTO unmet_searches (tags, account_id, bucket)
    VALUES (${input.tags}::text[], ${input.accountId}, date_bin(${stride}::interval, now(), TIMESTAMPTZ '1970-01-01 00:00:00+00'))
    ON CONFLICT DO NOTHING`;
  return inserted > 0;
}

/** Deletes at most `batch` searches older than `before`; how many went. */
export async function pruneUnmet(db: Db, before: Date, batch: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM unmet_searches WHERE id IN (SELECT id FROM unmet_searches WHERE at < ${before} LIMIT ${batch})`;
}
