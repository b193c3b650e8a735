// The inventory monitor (one workflow, `inventory-monitor`) and the Schedule
// that wakes it: kept running and in place, told of inventory changes, asked
// to check now.
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { inventoryMonitorWorkflow, inventoryTickWorkflow } from '../../workflows/inventory-monitor.workflow';
import {
  INVENTORY_MONITOR_ID,
  checkNowUpdate,
  inventoryChangedSignal,
  monitorStatusQuery,
  type InventoryMonitorInput,
  type InventoryReport,
  type MonitorStatus,
} from '../../workflows/shared';
import { NotFound, Unavailable } from '../domain/errors';
import { temporalCall } from './errors';

export const MONITOR_SCHEDULE_ID = 'inventory-monitor-schedule';

interface ClientSource {
  client(): Promise<Client>;
  readonly taskQueue: string;
}

export class MonitorWorkflow {
  constructor(private readonly gateway: ClientSource) {}

  /** Starts the monitor unless it runs, and puts its Schedule in place (a changed period takes effect). Idempotent. */
  async ensure(input: InventoryMonitorInput, periodMs: number): Promise<void> {
    const client = await temporalCall(() => this.gateway.client());
    await temporalCall(() =>
      client.workflow.start(inventoryMonitorWorkflow, {
        workflowId: INVENTORY_MONITOR_ID,
        taskQueue: this.gateway.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
    const spec = { intervals: [{ every: periodMs }] };
    try {
      await client.schedule.create({
        scheduleId: MONITOR_SCHEDULE_ID,
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: inventoryTickWorkflow,
          taskQueue: this.gateway.taskQueue,
          workflowId: 'inventory-monitor-tick',
          args: [],
        },
        policies: { overlap: 'SKIP' },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(MONITOR_SCHEDULE_ID).update((prev) => ({ ...prev, spec }));
    }
  }

  /** Tells the monitor the shelf changed, starting it if it is not running. */
  async inventoryChanged(reason: string, input: InventoryMonitorInput): Promise<void> {
    await temporalCall(async () =>
      (await this.gateway.client()).workflow.signalWithStart(inventoryMonitorWorkflow, {
        workflowId: INVENTORY_MONITOR_ID,
        taskQueue: this.gateway.taskQueue,
        args: [input],
        signal: inventoryChangedSignal,
        signalArgs: [{ reason }],
      }),
    );
  }

  /** Tells a running monitor the shelf changed; nothing when none runs. */
  async inventoryChangedIfRunning(reason: string): Promise<void> {
    await temporalCall(async () => (await this.gateway.client()).workflow.getHandle(INVENTORY_MONITOR_ID).signal(inventoryChangedSignal, { reason })).catch(
      (err: unknown) => {
        if (!(err instanceof NotFound)) throw err;
      },
    );
  }

  /** Evaluates at once and answers with the report; Unavailable when no monitor runs. */
  async checkNow(): Promise<InventoryReport> {
    try {
      return await temporalCall(async () =>
        (await this.gateway.client()).workflow.getHandle<typeof inventoryMonitorWorkflow>(INVENTORY_MONITOR_ID).executeUpdate(checkNowUpdate),
      );
    } catch (err) {
      if (err instanceof NotFound) throw new Unavailable('the inventory monitor is not running (a worker starts it)');
      throw err;
    }
  }

  status(): Promise<MonitorStatus> {
    return temporalCall(
      async () => (await this.gateway.client()).workflow.getHandle(INVENTORY_MONITOR_ID).query(monitorStatusQuery),
      'the inventory monitor is not running',
    );
  }
}
