// The inactivity policy (issue 18): an allocated number its holder has not
// used for INACTIVITY_NOTIFY_AFTER is noticed — the platform's webhook
// (`endpoint.inactive`) and a row in inactivity_notices — and released
// INACTIVITY_RELEASE_AFTER later through the same `release` update a holder
// uses (actor `policy:inactivity`, the reason in its history row's cause),
// unless it is used meanwhile. One sweep does both; the inactivity-policy
// workflow runs it on a durable timer, with the workflow's clock as `now`.
//
// Safe to repeat: a notice is keyed by its idle period (one per period, however
// many sweeps or retries); a release's update id is the notice's; a notice
// whose number was used since, released or re-allocated (another holder, or
// the same one again) is closed, never acted on.
import type { Db } from '../db/client';
import { closeNotice, idleHoldings, insertNotices, markSent, openNotices, unsentNotices } from '../db/inactivity';
import { clearSettings } from '../db/number-settings';
import { Conflict, NotFound } from '../domain/errors';
import { inactiveEvent, inactivityOn, noticeCutoff, noticeVerdict, releaseAt, type InactivityPolicy } from '../domain/inactivity';
import type { Logger } from '../logger';
import type { TemporalGateway } from '../temporal/gateway';
import { postPlatformEvent, type AlertDeps } from './alert-holder';

export const INACTIVITY_ACTOR = 'policy:inactivity';

export interface InactivityDeps {
  db: Db;
  temporal: TemporalGateway;
  log: Logger;
  policy: InactivityPolicy;
  /** PLATFORM_WEBHOOK_URL and its secret; absent: notices are logged and recorded only */
  webhook?: AlertDeps['webhook'];
  /** at most this many notices written, delivered and judged per sweep (the rest wait for the next) */
  batch?: number;
}

export interface SweepResult {
  /** addresses noticed by this sweep */
  noticed: string[];
  /** notices the platform's webhook took in this sweep */
  delivered: number;
  /** notices it refused or did not answer (tried again by the next sweep) */
  undelivered: number;
  /** notices closed because the number was used after its idle period began */
  used: string[];
  /** numbers released */
  released: string[];
  /** notices closed because the number is no longer that holding's (released, re-allocated, ported out) */
  moved: string[];
}

/** The reason in the release's history row cause: `released (inactivity: unused since …): aging before reuse`. */
export const inactivityReason = (idleSince: Date) => `inactivity: unused since ${idleSince.toISOString()}`;

export async function sweepInactivity(deps: InactivityDeps, now: number): Promise<SweepResult> {
  const result: SweepResult = { noticed: [], delivered: 0, undelivered: 0, used: [], released: [], moved: [] };
  if (!inactivityOn(deps.policy)) return result;
  const { db, log } = deps;
  const batch = deps.batch ?? 500;
  const at = new Date(now);

  // open notices first: a use cancels one, a due one is released
  for (const n of await openNotices(db, batch)) {
    if (n.holder !== n.accountId || n.currentHolding !== n.holdingVersion) {
      if (await closeNotice(db, n.id, 'moved', at, { state: n.state, holder: n.holder })) result.moved.push(n.address);
      continue;
    }
    const verdict = noticeVerdict(n, n.lastUsedAt, now, deps.webhook !== undefined);
    if (verdict === 'used') {
      if (await closeNotice(db, n.id, 'used', at, { lastUsedAt: n.lastUsedAt?.toISOString() })) {
        result.used.push(n.address);
        log.info({ address: n.address, accountId: n.accountId, noticeId: n.id, lastUsedAt: n.lastUsedAt }, 'inactivity notice cancelled: used since');
      }
      continue;
    }
    // in the middle of a retest (TESTING, still this holder's): the next sweep
    if (verdict === 'wait' || n.state !== 'ALLOCATED') continue;
    try {
      await deps.temporal
        .endpoint(n.address)
        .release({ accountId: n.accountId, actor: INACTIVITY_ACTOR, reason: inactivityReason(n.idleSince) }, `inactivity:${n.id}:release`);
    } catch (err) {
      // the workflow moved on since the row was read (a retest began, a holder released it): the next
      // sweep judges the notice again from the row; a number whose workflow is gone is closed
      if (err instanceof Conflict) {
        log.info({ address: n.address, noticeId: n.id, err: err.message }, 'inactivity release refused: judged again next sweep');
        continue;
      }
      if (!(err instanceof NotFound)) throw err;
      if (await closeNotice(db, n.id, 'moved', at, { refused: err.message })) result.moved.push(n.address);
      continue;
    }
    // the holding is over: its settings do not pass to a later one (as a holder's own release)
    await clearSettings(db, n.address);
    await closeNotice(db, n.id, 'released', at);
    result.released.push(n.address);
    log.info({ address: n.address, accountId: n.accountId, noticeId: n.id, idleSince: n.idleSince }, 'released for inactivity');
  }

  // idle periods due a notice: recorded once each (the unique key), then delivered
  const idle = await idleHoldings(db, noticeCutoff(deps.policy, now), batch);
  const written = await insertNotices(
    db,
    idle.map((h) => ({ ...h, notifiedAt: at, releaseAt: releaseAt(deps.policy, now) })),
  );
  for (const n of written) {
    result.noticed.push(n.address);
    log.warn({ address: n.address, accountId: n.accountId, noticeId: n.id, idleSince: n.idleSince, releaseAt: n.releaseAt }, 'inactivity notice');
  }
  if (deps.webhook) {
    for (const n of await unsentNotices(db, batch)) {
      // the holder has the whole INACTIVITY_RELEASE_AFTER from when the platform has the notice: a late delivery moves the release
      const due = new Date(Math.max(n.releaseAt.getTime(), releaseAt(deps.policy, now).getTime()));
      try {
        await postPlatformEvent(deps.webhook, inactiveEvent({ ...n, releaseAt: due }), `the inactivity notice ${n.id}`);
        await markSent(db, n.id, at, due);
        result.delivered++;
      } catch (err) {
        // kept unsent: the next sweep tries again; the number is not released before the platform has it
        result.undelivered++;
        log.warn({ noticeId: n.id, address: n.address, err: (err as Error).message }, 'inactivity notice not delivered');
      }
    }
  }
  return result;
}
