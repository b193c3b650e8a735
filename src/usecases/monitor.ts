// Keeps the inventory monitor running and its Schedule in place (both
// idempotent: every worker calls this at start), and coalesces the API's
// inventory-changed notices into at most one signal per interval.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { INVENTORY_MONITOR_ID, inventoryChangedSignal, type InventoryMonitorInput } from '../../workflows/shared';

export const MONITOR_SCHEDULE_ID = 'inventory-monitor-schedule';

export async function ensureMonitor(
  client: Client,
  opts: { taskQueue: string; input: InventoryMonitorInput; periodMs: number },
): Promise<void> {
  await client.workflow.start('inventoryMonitorWorkflow', {
    workflowId: INVENTORY_MONITOR_ID,
    taskQueue: opts.taskQueue,
    args: [opts.input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const spec = { intervals: [{ every: opts.periodMs }] };
  try {
    await client.schedule.create({
      scheduleId: MONITOR_SCHEDULE_ID,
      spec,
      action: { type: 'startWorkflow', workflowType: 'inventoryTickWorkflow', taskQueue: opts.taskQueue, workflowId: 'inventory-monitor-tick', args: [] },
      policies: { overlap: 'SKIP' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    // a changed MONITOR_PERIOD takes effect
    await client.schedule.getHandle(MONITOR_SCHEDULE_ID).update((prev) => ({ ...prev, spec }));
  }
}

/**
 * A burst of allocations is one wake-up: the first notice arms a timer, the
 * rest ride along, and one signal goes when it fires.
 */
export class MonitorNotifier {
  private timer: NodeJS.Timeout | undefined;
  private pending = 0;
  sent = 0;

  constructor(
    private readonly send: (reason: string) => Promise<void>,
    private readonly coalesceMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  static forClient(client: () => Promise<Client>, opts: { taskQueue: string; input: InventoryMonitorInput; coalesceMs: number; onError?: (err: unknown) => void }): MonitorNotifier {
    return new MonitorNotifier(
      async (reason) => {
        await (await client()).workflow.signalWithStart('inventoryMonitorWorkflow', {
          workflowId: INVENTORY_MONITOR_ID,
          taskQueue: opts.taskQueue,
          args: [opts.input],
          signal: inventoryChangedSignal,
          signalArgs: [{ reason }],
        });
      },
      opts.coalesceMs,
      opts.onError,
    );
  }

  notify(): void {
    this.pending++;
    this.timer ??= setTimeout(() => void this.flush(), this.coalesceMs);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === 0) return;
    const n = this.pending;
    this.pending = 0;
    try {
      await this.send(`${n} inventory change${n === 1 ? '' : 's'}`);
      this.sent++;
    } catch (err) {
      this.onError(err);
    }
  }
}
