// The one writer of `unmet_searches`: demand the shelf could not meet (an
// empty search, a criteria allocation with nothing left), which the monitor
// weighs; pruned after HISTORY_RETENTION.
import type { Db } from './client';

export async function recordUnmet(db: Db, input: { tags: string[]; accountId: string | null }): Promise<void> {
  await db.unmetSearch.create({ data: { tags: input.tags, accountId: input.accountId } });
}

/** Deletes at most `batch` searches older than `before`; how many went. */
export async function pruneUnmet(db: Db, before: Date, batch: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM unmet_searches WHERE id IN (SELECT id FROM unmet_searches WHERE at < ${before} LIMIT ${batch})`;
}
