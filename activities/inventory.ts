// The inventory monitor's activities: the evaluation pass, turning requests
// into provider orders (idempotent per batch: a retried activity finds the
// orders it made), and waking the monitor from its Schedule.
import { derivedUuid } from '../src/domain/ids';
import type { Client } from '@temporalio/client';
import type { Db } from '../src/db/client';
import { evaluateGroupings } from '../src/db/groupings';
import { pruneHistory } from '../src/db/retention';
import type { Logger } from '../src/logger';
import { OPEN_ORDER_STATUSES, decide, type GroupingMetrics } from '../src/domain/inventory';
import { assignRequests, requirementsOf, type ProviderInfo } from '../src/domain/provider-selection';
import {
  INVENTORY_MONITOR_ID,
  TASK_QUEUE,
  inventoryChangedSignal,
  type AcquireRequest,
  type DecisionSummary,
  type InventoryMonitorInput,
  type InventoryReport,
  type ReleaseRequest,
} from '../workflows/shared';

/** Requests carried per pass (most urgent first): keeps workflow payloads small. */
export const MAX_REQUESTS_PER_PASS = 500;

export interface PlannedOrder {
  orderId: string;
  providerId: string;
  direction: 'ACQUIRE' | 'RELEASE';
  total: number;
}


const urgency = (m: GroupingMetrics) => (m.minAvailable > 0 ? m.available / m.minAvailable : 1);

export interface InventoryDeps {
  db: Db;
  client?: Client;
  monitorInput?: InventoryMonitorInput;
  taskQueue?: string;
  log?: Logger;
  retention?: { retentionMs: number; webhookToleranceMs: number };
}

export function inventoryActivities(deps: InventoryDeps) {
  const { db } = deps;
  return {
    async evaluateInventory(input: { windowMs: number }): Promise<{
      report: Omit<InventoryReport, 'trigger' | 'batchDeadline'>;
      acquire: AcquireRequest[];
      release: ReleaseRequest[];
    }> {
      const metrics = await evaluateGroupings(db, { windowMs: input.windowMs, snapshot: true });
      if (deps.retention) {
        // history past HISTORY_RETENTION (and receipts past their webhooks' tolerance); a failure here is no reason to skip the decisions
        const pruned = await pruneHistory(db, deps.retention).catch((err: unknown) => {
          deps.log?.warn({ err }, 'pruning old history failed; the next pass tries again');
          return null;
        });
        if (pruned && pruned.snapshots + pruned.unmetSearches + pruned.webhookReceipts > 0) deps.log?.info({ pruned }, 'pruned old history');
      }
      const byId = new Map(metrics.map((m) => [m.groupingId, m]));
      const decisions = metrics.map(decide).filter((d) => d !== null);
      const acquire = decisions
        .filter((d) => d.kind === 'acquire')
        .sort((a, b) => urgency(byId.get(a.groupingId)!) - urgency(byId.get(b.groupingId)!))
        .slice(0, MAX_REQUESTS_PER_PASS);
      const release = decisions.filter((d) => d.kind === 'release').sort((a, b) => b.quantity - a.quantity).slice(0, MAX_REQUESTS_PER_PASS);
      const summary = (d: { groupingId: string; quantity: number; reason: string }): DecisionSummary => ({
        groupingId: d.groupingId,
        name: byId.get(d.groupingId)!.name,
        quantity: d.quantity,
        reason: d.reason,
      });
      return {
        report: {
          evaluatedAt: Date.now(),
          groupings: metrics.length,
          belowMin: metrics.filter((m) => m.available < m.minAvailable).length,
          aboveMax: metrics.filter((m) => m.available > m.maxAvailable).length,
          acquire: acquire.slice(0, 100).map(summary),
          release: release.slice(0, 100).map(summary),
        },
        acquire: acquire.map(({ groupingId, tags, quantity, preferredProviderIds }) => ({ groupingId, tags, quantity, preferredProviderIds })),
        release: release.map(({ groupingId, tags, quantity }) => ({ groupingId, tags, quantity })),
      };
    },

    async planAcquireOrders(input: { batchId: string; requests: AcquireRequest[] }): Promise<PlannedOrder[]> {
      return db.$transaction(async (tx) => {
        const made = await tx.providerOrder.findMany({
          where: { idempotencyKey: { startsWith: `batch:${input.batchId}:ACQUIRE:` } },
          include: { lines: true },
        });
        if (made.length) return made.map((o) => ({ orderId: o.id, providerId: o.providerId, direction: 'ACQUIRE' as const, total: o.lines.reduce((a, l) => a + l.quantity, 0) }));

        const providers = await tx.provider.findMany({ where: { active: true } });
        const used = await tx.$queryRaw<{ providerId: string; n: number }[]>`
          SELECT po.provider_id AS "providerId", coalesce(sum(l.quantity), 0)::int AS n
            FROM provider_orders po JOIN providers p ON p.id = po.provider_id JOIN order_lines l ON l.order_id = po.id
           WHERE po.direction = 'ACQUIRE' AND po.status NOT IN ('CANCELLED', 'FAILED')
             AND po.requested_at >= now() - make_interval(days => p.quota_period_days)
           GROUP BY 1`;
        const usedBy = new Map(used.map((u) => [u.providerId, u.n]));
        const infos: ProviderInfo[] = providers.map((p) => ({
          id: p.id,
          active: p.active,
          countries: p.countries,
          npas: p.npas,
          kinds: p.kinds,
          costPerNumberCents: p.costPerNumberCents,
          reliabilityScore: p.reliabilityScore,
          quotaNumbers: p.quotaNumbers,
          orderedInPeriod: usedBy.get(p.id) ?? 0,
        }));
        const assignment = assignRequests(input.requests, infos);
        const planned: PlannedOrder[] = [];
        for (const plan of assignment.orders) {
          const orderId = derivedUuid(input.batchId, 'ACQUIRE', plan.providerId);
          await tx.providerOrder.create({
            data: {
              id: orderId,
              providerId: plan.providerId,
              direction: 'ACQUIRE',
              idempotencyKey: `batch:${input.batchId}:ACQUIRE:${plan.providerId}`,
              lines: {
                create: plan.lines.map((l) => ({
                  groupingId: l.groupingId,
                  tags: l.tags,
                  country: l.country,
                  npa: l.npa,
                  kind: l.kind as never,
                  capabilities: l.capabilities,
                  quantity: l.quantity,
                })),
              },
            },
          });
          planned.push({ orderId, providerId: plan.providerId, direction: 'ACQUIRE', total: plan.total });
        }
        return planned;
      });
    },

    async planReleaseOrders(input: { batchId: string; requests: ReleaseRequest[] }): Promise<PlannedOrder[]> {
      return db.$transaction(async (tx) => {
        const made = await tx.providerOrder.findMany({
          where: { idempotencyKey: { startsWith: `batch:${input.batchId}:RELEASE:` } },
          include: { lines: true },
        });
        if (made.length) return made.map((o) => ({ orderId: o.id, providerId: o.providerId, direction: 'RELEASE' as const, total: o.lines.reduce((a, l) => a + l.endpointIds.length, 0) }));

        // the least valuable first: lowest quality, then highest running cost
        const byProvider = new Map<string, { groupingId: string; endpointIds: string[] }[]>();
        for (const r of input.requests) {
          const picked = await tx.$queryRaw<{ id: string; providerId: string }[]>`
            SELECT e.id::text, e.provider_id AS "providerId" FROM endpoints e
             WHERE e.state = 'AVAILABLE' AND e.classifier_tags @> ${r.tags}::text[] AND e.provider_id IS NOT NULL
               AND NOT EXISTS (
                 SELECT 1 FROM order_lines l JOIN provider_orders po ON po.id = l.order_id
                  WHERE po.direction = 'RELEASE' AND po.status::text = ANY(${[...OPEN_ORDER_STATUSES]}::text[])
                    AND e.id::text = ANY(l.endpoint_ids))
             ORDER BY e.quality_score ASC NULLS FIRST, e.monthly_cost_cents DESC, e.address
             LIMIT ${r.quantity}`;
          const groups = new Map<string, string[]>();
          for (const p of picked) groups.set(p.providerId, [...(groups.get(p.providerId) ?? []), p.id]);
          for (const [providerId, endpointIds] of groups) {
            byProvider.set(providerId, [...(byProvider.get(providerId) ?? []), { groupingId: r.groupingId, endpointIds }]);
          }
        }
        const planned: PlannedOrder[] = [];
        for (const [providerId, lines] of [...byProvider].sort(([a], [b]) => (a < b ? -1 : 1))) {
          const orderId = derivedUuid(input.batchId, 'RELEASE', providerId);
          await tx.providerOrder.create({
            data: {
              id: orderId,
              providerId,
              direction: 'RELEASE',
              idempotencyKey: `batch:${input.batchId}:RELEASE:${providerId}`,
              lines: { create: lines.map((l) => ({ groupingId: l.groupingId, quantity: l.endpointIds.length, endpointIds: l.endpointIds, tags: [] })) },
            },
          });
          planned.push({ orderId, providerId, direction: 'RELEASE', total: lines.reduce((a, l) => a + l.endpointIds.length, 0) });
        }
        return planned;
      });
    },

    async setOrderStatus(input: { orderId: string; status: 'CANCELLED'; reason: string | null }): Promise<void> {
      await db.providerOrder.update({
        where: { id: input.orderId },
        data: { status: input.status, failureReason: input.reason, completedAt: new Date() },
      });
    },

    async wakeMonitor(input: { reason: string }): Promise<void> {
      if (!deps.client || !deps.monitorInput) throw new Error('wakeMonitor needs a Temporal client and the monitor settings');
      await deps.client.workflow.signalWithStart('inventoryMonitorWorkflow', {
        workflowId: INVENTORY_MONITOR_ID,
        taskQueue: deps.taskQueue ?? TASK_QUEUE,
        args: [deps.monitorInput],
        signal: inventoryChangedSignal,
        signalArgs: [{ reason: input.reason }],
      });
    },
  };
}
