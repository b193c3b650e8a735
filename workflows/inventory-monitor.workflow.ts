// The inventory monitor (one, id `inventory-monitor`): woken by its Schedule,
// by inventory-changed signals and by an operator's check-now update, it
// evaluates every grouping in one pass; shortfalls and excesses wait a
// batching window, then each provider's share becomes one child order
// workflow, abandoned on close so orders outlive the monitor's runs.
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  OrderProvider,
  OrderStatus,
  checkNowUpdate,
  inventoryChangedSignal,
  monitorStatusQuery,
  orderWorkflowId,
  type InventoryMonitorInput,
  type InventoryReport,
} from './shared';
import { createLock } from './lock';
import { providerOrderWorkflow } from './provider-order.workflow';

const { evaluateInventory, planAcquireOrders, planReleaseOrders } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

/**
 * A run continues as new past this many events. A worker without the run in
 * its cache replays all of it inside one 10 s workflow task: the fault suite's
 * restarted workers took 5-8 s over 2,000-3,600 monitor events. Runs begun
 * before `monitor-history-1000` keep 5,000.
 */
const HISTORY_LIMIT = 1000;
const HISTORY_LIMIT_BEFORE = 5000;

export async function inventoryMonitorWorkflow(input: InventoryMonitorInput): Promise<void> {
  // asked first, in the run's first workflow task, where a replay always sees its marker (design.md, Patches)
  const historyLimit = patched('monitor-history-1000') ? HISTORY_LIMIT : HISTORY_LIMIT_BEFORE;
  const pendingAcquire = new Map((input.pendingAcquire ?? []).map((r) => [r.groupingId, r]));
  const pendingRelease = new Map((input.pendingRelease ?? []).map((r) => [r.groupingId, r]));
  let batchDeadline = input.batchDeadline ?? null;
  let wake: string | null = 'start';
  let lastReport: InventoryReport | null = null;
  const ordersStarted: string[] = [];

  const lock = createLock();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => lock.run(fn);

  async function evaluate(trigger: string): Promise<InventoryReport> {
    const res = await evaluateInventory({ windowMs: input.evaluationWindowMs });
    // a fresh evaluation replaces what is pending: a deficit is never counted twice
    pendingAcquire.clear();
    pendingRelease.clear();
    for (const r of res.acquire) pendingAcquire.set(r.groupingId, r);
    for (const r of res.release) pendingRelease.set(r.groupingId, r);
    if (pendingAcquire.size + pendingRelease.size === 0) batchDeadline = null;
    else batchDeadline ??= Date.now() + input.batchWindowMs;
    const report: InventoryReport = { ...res.report, trigger, batchDeadline };
    lastReport = report;
    return report;
  }

  async function placeOrders(): Promise<void> {
    const batchId = uuid4();
    const acquire = [...pendingAcquire.values()];
    const release = [...pendingRelease.values()];
    pendingAcquire.clear();
    pendingRelease.clear();
    batchDeadline = null;
    const orders = [
      ...(acquire.length ? await planAcquireOrders({ batchId, requests: acquire }) : []),
      ...(release.length ? await planReleaseOrders({ batchId, requests: release }) : []),
    ];
    for (const o of orders) {
      await startChild(providerOrderWorkflow, {
        workflowId: orderWorkflowId(o.orderId),
        args: [{ orderId: o.orderId, providerId: o.providerId, direction: o.direction, deliveryTimeoutMs: input.orderDeliveryTimeoutMs }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: OrderProvider, value: o.providerId },
          { key: OrderStatus, value: 'PENDING' },
        ],
      });
      ordersStarted.push(o.orderId);
    }
  }

  setHandler(inventoryChangedSignal, ({ reason }) => {
    wake ??= reason ?? 'inventory changed';
  });
  setHandler(checkNowUpdate, () => exclusive(() => evaluate('operator check-now')));
  setHandler(monitorStatusQuery, () => ({
    pendingAcquire: [...pendingAcquire.values()],
    pendingRelease: [...pendingRelease.values()],
    batchDeadline,
    lastReport,
    ordersStarted: ordersStarted.slice(-100),
  }));

  const historyTooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit;

  for (;;) {
    const due = () => batchDeadline !== null && Date.now() >= batchDeadline;
    if (batchDeadline === null) await condition(() => wake !== null || historyTooLong());
    else await condition(() => wake !== null || historyTooLong(), Math.max(0, batchDeadline - Date.now()));
    if (historyTooLong()) {
      await condition(() => !lock.held && allHandlersFinished());
      await continueAsNew<typeof inventoryMonitorWorkflow>({
        ...input,
        pendingAcquire: [...pendingAcquire.values()],
        pendingRelease: [...pendingRelease.values()],
        batchDeadline,
      });
    }
    if (wake !== null) {
      const trigger = wake;
      wake = null;
      await exclusive(() => evaluate(trigger));
    }
    if (due()) await exclusive(() => placeOrders());
  }
}

/** Started by the monitor's Schedule: wakes the monitor (starting it if need be). */
export async function inventoryTickWorkflow(): Promise<void> {
  const { wakeMonitor } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });
  await wakeMonitor({ reason: 'schedule' });
}
