// The inventory per grouping, as the monitor evaluates it (not kept as a
// snapshot), and the operator's check-now: the monitor evaluates at once and
// answers with its report.
import type { Db } from '../db/client';
import { evaluateGroupings } from '../db/groupings';
import { groupingLifespans } from '../db/lifespan';
import { withReleasePredictions } from '../domain/lifespan';
import type { GroupingMetrics } from '../domain/inventory';
import type { TemporalGateway } from '../temporal/gateway';
import type { InventoryReport } from '../../workflows/shared';

export const REPORT_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type ReportWindow = keyof typeof REPORT_WINDOWS;

export interface InventoryDeps {
  db: Db;
  temporal: TemporalGateway;
  /** UNMET_DEMAND_PER_ACCOUNT, as the monitor weighs unmet demand (default 5) */
  unmetPerAccount?: number;
  /** as the monitor predicts releases (src/config.ts releasePrediction): each grouping then carries predictedReleases; absent: none */
  releasePrediction?: { horizonMs: number; shelfDelayMs: number; lookbackMs: number };
}

export async function inventoryReport(
  deps: Pick<InventoryDeps, 'db' | 'unmetPerAccount' | 'releasePrediction'>,
  window: ReportWindow,
): Promise<GroupingMetrics[]> {
  const metrics = await evaluateGroupings(deps.db, { windowMs: REPORT_WINDOWS[window], snapshot: false, unmetPerAccount: deps.unmetPerAccount });
  const p = deps.releasePrediction;
  if (!p) return metrics;
  return withReleasePredictions(metrics, await groupingLifespans(deps.db, { lookbackMs: p.lookbackMs }), p);
}

/** Unavailable when no monitor runs (a worker starts it). */
export function checkNow(deps: Pick<InventoryDeps, 'temporal'>): Promise<InventoryReport> {
  return deps.temporal.monitor.checkNow();
}
