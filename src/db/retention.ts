// What the service writes for a while and reads only within a window:
// inventory snapshots (trend, dashboard), unmet searches (demand) and carrier
// webhook receipts (replay protection, needed only while a webhook's timestamp
// is still inside WEBHOOK_TOLERANCE). The monitor's pass deletes what is
// older, a bounded batch per table per pass, so a backlog drains over a few
// passes instead of one long delete.
import type { Db } from './client';

export const PRUNE_BATCH = 10_000;

export interface Pruned {
  snapshots: number;
  unmetSearches: number;
  webhookReceipts: number;
}

export async function pruneHistory(
  db: Db,
  opts: { retentionMs: number; webhookToleranceMs: number; now?: Date; batch?: number },
): Promise<Pruned> {
  const now = opts.now ?? new Date();
  const batch = opts.batch ?? PRUNE_BATCH;
  const before = new Date(now.getTime() - opts.retentionMs);
  // a receipt outlives its webhook's tolerance on both sides of its timestamp
  const receiptsBefore = new Date(now.getTime() - 2 * opts.webhookToleranceMs);
  const snapshots = await db.$executeRaw`
    DELETE FROM inventory_snapshots WHERE id IN (SELECT id FROM inventory_snapshots WHERE taken_at < ${before} LIMIT ${batch})`;
  const unmetSearches = await db.$executeRaw`
    DELETE FROM unmet_searches WHERE id IN (SELECT id FROM unmet_searches WHERE at < ${before} LIMIT ${batch})`;
  const webhookReceipts = await db.$executeRaw`
    DELETE FROM webhook_receipts WHERE signature IN (SELECT signature FROM webhook_receipts WHERE received_at < ${receiptsBefore} LIMIT ${batch})`;
  return { snapshots, unmetSearches, webhookReceipts };
}
