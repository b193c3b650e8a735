// The operators' dashboard figures: per grouping the available inventory over
// the window against its thresholds with the predicted depletion, orders in
// flight with their progress, endpoints on their way in with their
// cleanliness — each row linking to its workflow in Temporal Web — and per
// grouping how long numbers stay allocated and the releases the monitor
// predicts (src/domain/lifespan.ts).
import type { Db } from '../db/client';
import { openOrders, quarantined, QUARANTINE_STATES, regionCounts, snapshotSeries, stateCounts } from '../db/dashboard';
import { evaluateGroupings } from '../db/groupings';
import { groupingLifespans } from '../db/lifespan';
import { lifespanDistribution, predictReleases } from '../domain/lifespan';
import { endpointWorkflowId, orderWorkflowId } from '../../workflows/shared';

export const DASHBOARD_WINDOWS = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 } as const;
export type DashboardWindow = keyof typeof DASHBOARD_WINDOWS;

const ORDER_ROWS = 100;
const QUARANTINE_ROWS = 200;
const REGION_ROWS = 60;

export interface DashboardDeps {
  db: Db;
  temporalWebUrl: string;
  namespace: string;
  /** UNMET_DEMAND_PER_ACCOUNT, as the monitor weighs unmet demand (default 5) */
  unmetPerAccount?: number;
  /** LIFESPAN_LOOKBACK (default 365 days) */
  lifespanLookbackMs?: number;
  /** LIFESPAN_REFRESH: lifespans read for one refresh serve the next ones this long (default 0: every refresh) */
  lifespanRefreshMs?: number;
  /** as the monitor predicts releases (src/config.ts releasePrediction); absent: none shown */
  releasePrediction?: { horizonMs: number; shelfDelayMs: number };
}

const DEFAULT_LIFESPAN_LOOKBACK_MS = 365 * 86_400_000;

// per app (its deps): every open page refreshes every few seconds, the lifespans move by days
const lifespanCache = new WeakMap<DashboardDeps, { at: number; data: Promise<Awaited<ReturnType<typeof groupingLifespans>>> }>();
function lifespansFor(deps: DashboardDeps, now: Date) {
  const hit = lifespanCache.get(deps);
  if (hit && now.getTime() - hit.at < (deps.lifespanRefreshMs ?? 0)) return hit.data;
  const data = groupingLifespans(deps.db, { lookbackMs: deps.lifespanLookbackMs ?? DEFAULT_LIFESPAN_LOOKBACK_MS, now });
  lifespanCache.set(deps, { at: now.getTime(), data });
  // a failed read is not kept
  data.catch(() => lifespanCache.delete(deps));
  return data;
}

export async function dashboard(deps: DashboardDeps, q: { window: DashboardWindow; points: number }) {
  const windowMs = DASHBOARD_WINDOWS[q.window];
  const now = new Date();
  const since = new Date(now.getTime() - windowMs);
  const [groupings, series, orders, quarantine, pipeline, regions, lifespans] = await Promise.all([
    evaluateGroupings(deps.db, { windowMs, snapshot: false, now, unmetPerAccount: deps.unmetPerAccount }),
    snapshotSeries(deps.db, since, q.points),
    openOrders(deps.db, ORDER_ROWS),
    quarantined(deps.db, QUARANTINE_ROWS),
    stateCounts(deps.db),
    regionCounts(deps.db, REGION_ROWS),
    lifespansFor(deps, now),
  ]);
  const workflowUrl = (id: string) =>
    `${deps.temporalWebUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(id)}`;
  const byGrouping = new Map<string, { at: string; available: number; min: number; target: number; max: number }[]>();
  for (const p of series) {
    const list = byGrouping.get(p.groupingId) ?? [];
    list.push({ at: p.at.toISOString(), available: p.available, min: p.min, target: p.target, max: p.max });
    byGrouping.set(p.groupingId, list);
  }
  const sum = (lines: { quantity: number; accepted: number; rejected: number }[], k: 'quantity' | 'accepted' | 'rejected') =>
    lines.reduce((n, l) => n + l[k], 0);
  return {
    generatedAt: now.toISOString(),
    window: q.window,
    temporalWebUrl: deps.temporalWebUrl,
    states: Object.fromEntries(pipeline.map((s) => [s.state, s.n])),
    /** per region (ISO 3166-2; `unknown`: numbers the place data cannot place), busiest first */
    regions: regions.map((r) => ({ ...r, region: r.region ?? 'unknown' })),
    groupings: groupings.map((g) => ({
      ...g,
      // the last point is now: the counts are exact, snapshots only come with each pass
      series: [
        ...(byGrouping.get(g.groupingId) ?? []),
        { at: now.toISOString(), available: g.available, min: g.minAvailable, target: g.targetAvailable, max: g.maxAvailable },
      ],
      lifespan: lifespanDistribution(lifespans.get(g.groupingId) ?? []),
      releases: deps.releasePrediction ? predictReleases(lifespans.get(g.groupingId) ?? [], deps.releasePrediction) : null,
    })),
    orders: orders.map((o) => ({
      id: o.id,
      provider: o.providerId,
      providerName: o.providerName,
      direction: o.direction,
      status: o.status,
      requestedAt: o.requestedAt.toISOString(),
      submittedAt: o.submittedAt?.toISOString() ?? null,
      quantity: sum(o.lines, 'quantity'),
      accepted: sum(o.lines, 'accepted'),
      rejected: sum(o.lines, 'rejected'),
      lines: o.lines.length,
      workflowUrl: workflowUrl(orderWorkflowId(o.id)),
    })),
    quarantine: {
      total: pipeline.filter((p) => (QUARANTINE_STATES as readonly string[]).includes(p.state)).reduce((n, p) => n + p.n, 0),
      endpoints: quarantine.map((e) => ({
        address: e.address,
        state: e.state,
        voiceCleanliness: e.voiceCleanliness,
        messagingCleanliness: e.messagingCleanliness,
        until: e.quarantineUntil?.toISOString() ?? null,
        since: e.stateChangedAt.toISOString(),
        provider: e.providerId,
        workflowUrl: workflowUrl(endpointWorkflowId(e.address)),
      })),
    },
  };
}
