// Usage seen through the service (issue 18): each routing lookup of an
// allocated endpoint and each traffic report the call router sends about one
// is counted in this process's memory, per endpoint, holder and UTC day; a
// timer adds the counts to `endpoint_usage` in one statement every
// USAGE_FLUSH_INTERVAL (and at shutdown). The hot path — the routing lookup —
// only increments a counter: never a write per lookup. A flush that fails
// keeps its counts for the next one.
import type { Db } from '../db/client';
import { addUsage, type UsageDelta } from '../db/usage';

export type UsageKind = 'lookup' | 'callIn' | 'callOut' | 'messageIn' | 'messageOut';

const FIELD: Record<UsageKind, keyof Pick<UsageDelta, 'lookups' | 'callsIn' | 'callsOut' | 'messagesIn' | 'messagesOut'>> = {
  lookup: 'lookups',
  callIn: 'callsIn',
  callOut: 'callsOut',
  messageIn: 'messagesIn',
  messageOut: 'messagesOut',
};

export class UsageRecorder {
  private pending = new Map<string, UsageDelta>();
  private timer: NodeJS.Timeout | undefined;
  /** flushes that wrote (for tests and logs) */
  flushes = 0;

  constructor(
    private readonly db: Db,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Counts one use (in memory only). */
  note(endpointId: string, accountId: string, kind: UsageKind, count = 1, at = new Date()): void {
    const day = at.toISOString().slice(0, 10);
    const key = `${endpointId}|${accountId}|${day}`;
    let d = this.pending.get(key);
    if (!d) {
      d = { endpointId, accountId, day, lookups: 0, callsIn: 0, callsOut: 0, messagesIn: 0, messagesOut: 0, lastUsedAt: at };
      this.pending.set(key, d);
    }
    d[FIELD[kind]] += count;
    if (at > d.lastUsedAt) d.lastUsedAt = at;
  }

  /** Writes what was counted since the last flush; on failure the counts wait for the next. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await addUsage(this.db, [...batch.values()]);
      this.flushes++;
    } catch (err) {
      // merge back: nothing counted is lost to a failed flush
      for (const d of batch.values()) {
        for (const kind of Object.keys(FIELD) as UsageKind[]) if (d[FIELD[kind]] > 0) this.note(d.endpointId, d.accountId, kind, d[FIELD[kind]], d.lastUsedAt);
      }
      this.onError(err);
    }
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
