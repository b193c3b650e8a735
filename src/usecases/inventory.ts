// The inventory per grouping, as the monitor evaluates it (not kept as a
// snapshot), and the operator's check-now: the monitor evaluates at once and
// answers with its report.
import type { Db } from '../db/client';
import { evaluateGroupings } from '../db/groupings';
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
}

export function inventoryReport(deps: Pick<InventoryDeps, 'db' | 'unmetPerAccount'>, window: ReportWindow): Promise<GroupingMetrics[]> {
  return evaluateGroupings(deps.db, { windowMs: REPORT_WINDOWS[window], snapshot: false, unmetPerAccount: deps.unmetPerAccount });
}

/** Unavailable when no monitor runs (a worker starts it). */
export function checkNow(deps: Pick<InventoryDeps, 'temporal'>): Promise<InventoryReport> {
  return deps.temporal.monitor.checkNow();
}
