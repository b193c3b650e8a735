// The inventory monitor's activities: the evaluation pass, turning requests
// into provider orders (idempotent per batch: a retried activity finds the
// orders it made), and waking the monitor from its Schedule.
import type { Db } from '../src/db/client';
import { evaluateGroupings } from '../src/db/groupings';
import { groupingLifespans } from '../src/db/lifespan';
import { withReleasePredictions } from '../src/domain/lifespan';
import { finishOrder, planAcquireBatch, planReleaseBatch, rejectedToReturn, type PlannedOrder } from '../src/db/orders';
import { pruneHistory } from '../src/db/retention';
import type { Logger } from '../src/logger';
import { decide, type GroupingMetrics } from '../src/domain/inventory';
import { assignRequests } from '../src/domain/provider-selection';
import type { TemporalGateway } from '../src/temporal/gateway';
import {
  REJECTED_RETURNS,
  type AcquireRequest,
  type DecisionSummary,
  type InventoryMonitorInput,
  type InventoryReport,
  type ReleaseRequest,
} from '../workflows/shared';

export type { PlannedOrder };

/** Requests carried per pass (most urgent first): keeps workflow payloads small. */
export const MAX_REQUESTS_PER_PASS = 500;
/** REJECTED numbers sent back per pass (the next pass takes the rest): keeps one release order's work bounded. */
export const MAX_RETURNS_PER_PASS = 500;

const urgency = (m: GroupingMetrics) => (m.minAvailable > 0 ? m.available / m.minAvailable : 1);

export interface InventoryDeps {
  db: Db;
  /** to wake the monitor (it starts on the gateway's task queue) */
  temporal?: TemporalGateway;
  monitorInput?: InventoryMonitorInput;
  log?: Logger;
  retention?: { retentionMs: number; webhookToleranceMs: number };
  /** UNMET_DEMAND_PER_ACCOUNT: what one account adds to a grouping's unmet count at most (default 5) */
  unmetPerAccount?: number;
  /**
   * RELEASE_PREDICTION_HORIZON, LIFESPAN_LOOKBACK: acquisitions count the held
   * numbers expected back within `horizonMs` (src/domain/lifespan.ts); absent
   * or horizon 0: no prediction. `shelfDelayMs`: how long a released number
   * takes to count (0: from its release, as AGING numbers count in the pipeline).
   * `refreshMs` (LIFESPAN_REFRESH): lifespans are read again after this long (default 0: every pass).
   */
  releasePrediction?: { horizonMs: number; shelfDelayMs: number; lookbackMs: number; refreshMs?: number };
}

export function inventoryActivities(deps: InventoryDeps) {
  const { db } = deps;
  // lifespans move by days: one read serves the passes of LIFESPAN_REFRESH (the monitor may pass every second under load)
  let lifespans: { at: number; data: Awaited<ReturnType<typeof groupingLifespans>> } | null = null;
  const lifespansFor = async (p: { lookbackMs: number; refreshMs?: number }) => {
    if (!lifespans || Date.now() - lifespans.at >= (p.refreshMs ?? 0)) {
      lifespans = { at: Date.now(), data: await groupingLifespans(db, { lookbackMs: p.lookbackMs }) };
    }
    return lifespans.data;
  };
  return {
    async evaluateInventory(input: { windowMs: number }): Promise<{
      report: Omit<InventoryReport, 'trigger' | 'batchDeadline'>;
      acquire: AcquireRequest[];
      release: ReleaseRequest[];
    }> {
      const evaluated = await evaluateGroupings(db, { windowMs: input.windowMs, snapshot: true, unmetPerAccount: deps.unmetPerAccount });
      const p = deps.releasePrediction;
      const metrics = p && p.horizonMs > 0 ? withReleasePredictions(evaluated, await lifespansFor(p), p) : evaluated;
      if (deps.retention) {
        // history past HISTORY_RETENTION (and receipts past their webhooks' tolerance); a failure here is no reason to skip the decisions
        const pruned = await pruneHistory(db, deps.retention).catch((err: unknown) => {
          deps.log?.warn({ err }, 'pruning old history failed; the next pass tries again');
          return null;
        });
        if (pruned && pruned.snapshots + pruned.unmetSearches + pruned.webhookReceipts + pruned.capabilityProbes > 0)
          deps.log?.info({ pruned }, 'pruned old history');
      }
      const byId = new Map(metrics.map((m) => [m.groupingId, m]));
      const decisions = metrics.map(decide).filter((d) => d !== null);
      const acquire = decisions
        .filter((d) => d.kind === 'acquire')
        .sort((a, b) => urgency(byId.get(a.groupingId)!) - urgency(byId.get(b.groupingId)!))
        .slice(0, MAX_REQUESTS_PER_PASS);
      const release = decisions
        .filter((d) => d.kind === 'release')
        .sort((a, b) => b.quantity - a.quantity)
        .slice(0, MAX_REQUESTS_PER_PASS);
      const summary = (d: { groupingId: string; quantity: number; reason: string }): DecisionSummary => ({
        groupingId: d.groupingId,
        name: byId.get(d.groupingId)!.name,
        quantity: d.quantity,
        reason: d.reason,
      });
      // REJECTED numbers go back to their carriers through release orders too
      const rejected = Math.min(await rejectedToReturn(db), MAX_RETURNS_PER_PASS);
      const returns: (ReleaseRequest & DecisionSummary)[] = rejected
        ? [
            {
              groupingId: REJECTED_RETURNS,
              name: 'rejected numbers',
              tags: [],
              quantity: rejected,
              rejected: true,
              reason: `${rejected} REJECTED numbers back to their carriers`,
            },
          ]
        : [];
      return {
        report: {
          evaluatedAt: Date.now(),
          groupings: metrics.length,
          belowMin: metrics.filter((m) => m.available < m.minAvailable).length,
          aboveMax: metrics.filter((m) => m.available > m.maxAvailable).length,
          acquire: acquire.slice(0, 100).map(summary),
          release: [
            ...release.slice(0, 100).map(summary),
            ...returns.map(({ groupingId, name, quantity, reason }) => ({ groupingId, name, quantity, reason })),
          ],
        },
        acquire: acquire.map(({ groupingId, tags, quantity, preferredProviderIds }) => ({ groupingId, tags, quantity, preferredProviderIds })),
        release: [
          ...release.map(({ groupingId, tags, quantity }) => ({ groupingId, tags, quantity })),
          ...returns.map(({ groupingId, tags, quantity }) => ({ groupingId, tags, quantity, rejected: true })),
        ],
      };
    },

    async planAcquireOrders(input: { batchId: string; requests: AcquireRequest[] }): Promise<PlannedOrder[]> {
      return planAcquireBatch(db, input.batchId, (providers) => assignRequests(input.requests, providers).orders);
    },

    async planReleaseOrders(input: { batchId: string; requests: ReleaseRequest[] }): Promise<PlannedOrder[]> {
      return planReleaseBatch(db, input.batchId, input.requests);
    },

    async setOrderStatus(input: { orderId: string; status: 'CANCELLED'; reason: string | null }): Promise<void> {
      await finishOrder(db, input.orderId, input.status, input.reason);
    },

    async wakeMonitor(input: { reason: string }): Promise<void> {
      if (!deps.temporal || !deps.monitorInput) throw new Error('wakeMonitor needs a Temporal client and the monitor settings');
      await deps.temporal.monitor.inventoryChanged(input.reason, deps.monitorInput);
    },
  };
}
