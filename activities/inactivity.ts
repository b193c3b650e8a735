// The inactivity-policy workflow's activity: one sweep at the workflow's clock.
import type { Db } from '../src/db/client';
import type { InactivityPolicy } from '../src/domain/inactivity';
import type { Logger } from '../src/logger';
import type { TemporalGateway } from '../src/temporal/gateway';
import type { AlertDeps } from '../src/usecases/alert-holder';
import { sweepInactivity } from '../src/usecases/inactivity';
import type { InactivitySweep } from '../workflows/shared';

export interface InactivitySettings extends InactivityPolicy {
  /** INACTIVITY_SWEEP_EVERY */
  sweepEveryMs: number;
}

export function inactivityActivities(deps: { db: Db; log: Logger; temporal?: TemporalGateway; webhook?: AlertDeps['webhook']; settings?: InactivitySettings }) {
  return {
    async sweepInactivity(input: { now: number }): Promise<InactivitySweep> {
      const settings = deps.settings;
      if (!settings || settings.notifyAfterMs <= 0) {
        return { noticed: 0, delivered: 0, undelivered: 0, used: 0, released: 0, moved: 0, nextSweepMs: null };
      }
      if (!deps.temporal) throw new Error('sweepInactivity needs a Temporal client (ActivityDeps.client)');
      const r = await sweepInactivity({ db: deps.db, temporal: deps.temporal, log: deps.log, policy: settings, webhook: deps.webhook }, input.now);
      return {
        noticed: r.noticed.length,
        delivered: r.delivered,
        undelivered: r.undelivered,
        used: r.used.length,
        released: r.released.length,
        moved: r.moved.length,
        nextSweepMs: settings.sweepEveryMs,
      };
    },
  };
}
