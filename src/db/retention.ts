// What the service writes for a while and reads only within a window:
// inventory snapshots (trend, dashboard), unmet searches (demand) and carrier
// webhook receipts (replay protection, needed only while a webhook's timestamp
// is still inside WEBHOOK_TOLERANCE), and the capability tests' probes (each
// test placed and its arrival: read while its test waits). The monitor's pass deletes what is
// older, a bounded batch per table per pass, so a backlog drains over a few
// passes instead of one long delete. Each table's own module deletes its rows.
import type { Db } from './client';
import { pruneUnmet } from './demand';
import { pruneSnapshots } from './groupings';
import { pruneReceipts } from './webhooks';
import { pruneProbes } from './probes';

export const PRUNE_BATCH = 10_000;

export interface Pruned {
  snapshots: number;
  unmetSearches: number;
  webhookReceipts: number;
  capabilityProbes: number;
}

export async function pruneHistory(db: Db, opts: { retentionMs: number; webhookToleranceMs: number; now?: Date; batch?: number }): Promise<Pruned> {
  const now = opts.now ?? new Date();
  const batch = opts.batch ?? PRUNE_BATCH;
  const before = new Date(now.getTime() - opts.retentionMs);
  // a receipt outlives its webhook's tolerance on both sides of its timestamp
  const receiptsBefore = new Date(now.getTime() - 2 * opts.webhookToleranceMs);
  const snapshots = await pruneSnapshots(db, before, batch);
  const unmetSearches = await pruneUnmet(db, before, batch);
  const webhookReceipts = await pruneReceipts(db, receiptsBefore, batch);
  const capabilityProbes = await pruneProbes(db, before, batch);
  return { snapshots, unmetSearches, webhookReceipts, capabilityProbes };
}
