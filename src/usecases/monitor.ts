// Keeps the inventory monitor running and its Schedule in place (both
// idempotent: every worker calls this at start), and coalesces the API's
// inventory-changed notices into at most one signal per interval.
import type { TemporalGateway } from '../temporal/gateway';
import type { InventoryMonitorInput } from '../../workflows/shared';

export { MONITOR_SCHEDULE_ID } from '../temporal/monitor';

/** Starts the monitor unless it runs, on the gateway's task queue; a changed period takes effect. */
export async function ensureMonitor(temporal: TemporalGateway, opts: { input: InventoryMonitorInput; periodMs: number }): Promise<void> {
  await temporal.monitor.ensure(opts.input, opts.periodMs);
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

  /** Signals the monitor (started if it is not running) on the gateway's task queue. */
  static forGateway(temporal: TemporalGateway, opts: { input: InventoryMonitorInput; coalesceMs: number; onError?: (err: unknown) => void }): MonitorNotifier {
    return new MonitorNotifier((reason) => temporal.monitor.inventoryChanged(reason, opts.input), opts.coalesceMs, opts.onError);
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
