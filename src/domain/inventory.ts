// What a grouping's figures mean: thresholds (configured, or adjusted from
// its history) and the request that follows — acquire up to the target,
// counting what is already on order or in quarantine, or release down to the
// target. Plus the plain TypeScript evaluation that the SQL pass is checked
// against. Pure.
import { matches } from './classification';
import type { EndpointStateName } from './endpoint';

export interface Thresholds {
  minAvailable: number;
  targetAvailable: number;
  maxAvailable: number;
}

export interface GroupingMetrics extends Thresholds {
  groupingId: string;
  name: string;
  tags: string[];
  autoAdjust: boolean;
  preferredProviderIds: string[];
  available: number;
  allocated: number;
  reserved: number;
  /** ordered, in quarantine, aging, testing or porting in: on its way to the shelf */
  inQuarantine: number;
  /** ordered from carriers and not yet delivered */
  onOrder: number;
  /** available endpoints already in an open release order */
  onRelease: number;
  /** allocations per hour over the window */
  allocationRate: number;
  unmetSearches: number;
  /** change of available per hour over the window's snapshots */
  trend: number;
  /** seconds until nothing is available at the current allocation rate; null when not depleting */
  depletionSeconds: number | null;
  /**
   * held numbers expected back within the prediction window (src/domain/lifespan.ts
   * predictReleases); absent or 0: none counted. Filled by the monitor's activity,
   * not by the SQL pass.
   */
  predictedReleases?: number;
  /** what the prediction was made from, for the decision's reason */
  prediction?: { held: number; windowDays: number };
}

export type Decision =
  | { kind: 'acquire'; groupingId: string; tags: string[]; quantity: number; preferredProviderIds: string[]; reason: string }
  | { kind: 'release'; groupingId: string; tags: string[]; quantity: number; reason: string };

/**
 * Unmet demand, as the evaluation weighs it: an account's empty searches and
 * none-available allocations are counted once per criteria and
 * UNMET_DEMAND_WINDOW when recorded, and one account adds at most
 * UNMET_DEMAND_PER_ACCOUNT to a grouping's count — so demand the monitor
 * buys for is several accounts' (or the allocation rate), never one tenant
 * looping searches. These are the settings' defaults (src/config.ts), for
 * callers without settings (tests, benchmarks).
 */
export const UNMET_DEMAND_DEFAULTS = { windowMs: 3_600_000, perAccount: 5 } as const;

/** Assumed carrier lead time when adjusting thresholds from the allocation rate. */
export const ADJUST_LEAD_TIME_HOURS = 7 * 24;

/**
 * Automatic adjustment: enough stock to cover the allocation rate over a
 * carrier's lead time, never below what the operator configured.
 */
export function effectiveThresholds(m: GroupingMetrics): Thresholds {
  if (!m.autoAdjust) return { minAvailable: m.minAvailable, targetAvailable: m.targetAvailable, maxAvailable: m.maxAvailable };
  const demand = Math.ceil(m.allocationRate * ADJUST_LEAD_TIME_HOURS + m.unmetSearches);
  const minAvailable = Math.max(m.minAvailable, demand);
  const targetAvailable = Math.max(m.targetAvailable, 2 * minAvailable);
  const maxAvailable = Math.max(m.maxAvailable, 2 * targetAvailable);
  return { minAvailable, targetAvailable, maxAvailable };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Acquire when below the minimum: up to the target, less the pipeline
 * (available, on its way, on order) and the releases predicted within the
 * window (whole numbers: the floor); release above the maximum.
 */
export function decide(m: GroupingMetrics): Decision | null {
  const t = effectiveThresholds(m);
  if (m.available < t.minAvailable) {
    const pipeline = m.available + m.inQuarantine + m.onOrder;
    // expected releases count whole: 2.5 expected numbers are 2 to rely on
    const predicted = Math.floor(Math.max(0, m.predictedReleases ?? 0));
    const quantity = t.targetAvailable - pipeline - predicted;
    if (quantity <= 0) return null; // enough is on its way already
    const parts = `${m.available} available, ${m.inQuarantine} in quarantine, ${m.onOrder} on order`;
    const reason = predicted
      ? `${m.available} available < min ${t.minAvailable}; target ${t.targetAvailable} − pipeline ${pipeline} − predicted releases ` +
        `${round1(m.predictedReleases!)} (floor ${predicted}) = ${quantity}; pipeline: ${parts}` +
        (m.prediction ? `; predicted from ${m.prediction.held} held, ${round1(m.prediction.windowDays)} days` : '')
      : `${m.available} available < min ${t.minAvailable}; target ${t.targetAvailable} − pipeline ${pipeline} = ${quantity}; pipeline: ${parts}`;
    return { kind: 'acquire', groupingId: m.groupingId, tags: m.tags, quantity, preferredProviderIds: m.preferredProviderIds, reason };
  }
  const keeping = m.available - m.onRelease;
  if (keeping > t.maxAvailable) {
    return {
      kind: 'release',
      groupingId: m.groupingId,
      tags: m.tags,
      quantity: keeping - t.targetAvailable,
      reason: `${m.available} available (${m.onRelease} already being released) > max ${t.maxAvailable}; release down to target ${t.targetAvailable}`,
    };
  }
  return null;
}

// ------------------------------------------------------------ reference evaluation

/** An order in one of these is still coming: its outstanding numbers count as on order. */
export const OPEN_ORDER_STATUSES = ['PENDING', 'SUBMITTED', 'AWAITING_OPERATOR', 'PARTIALLY_DELIVERED'] as const;

/**
 * What an open order line still brings: its quantity less what was accepted.
 * A rejected number does not fill the line — the order waits (and the carrier
 * delivers) until `quantity` are accepted — so rejections do not shrink it.
 * The SQL pass (src/db/groupings.ts, `o`) counts the same.
 */
export function stillExpected(line: { quantity: number; accepted: number }): number {
  return Math.max(0, line.quantity - line.accepted);
}

export const ALLOCATED_STATES: readonly EndpointStateName[] = ['ALLOCATED', 'PORTING_OUT'];
export const PIPELINE_STATES: readonly EndpointStateName[] = ['ORDERED', 'QUARANTINE', 'AGING', 'TESTING', 'PORTING_IN'];

export interface ReferenceData {
  groupings: ({ id: string; name: string; tags: string[]; autoAdjust: boolean; preferredProviderIds: string[] } & Thresholds)[];
  endpoints: { tags: string[]; state: EndpointStateName }[];
  /** open acquire order lines */
  openLines: { groupingId: string; quantity: number; accepted: number; rejected: number }[];
  /** endpoints in open release order lines that are still AVAILABLE (not yet RELEASING) */
  openReleases: { groupingId: string; endpoints: number }[];
  /** allocations inside the window, by the tags the endpoint had */
  allocations: { tags: string[] }[];
  /** unmet demand inside the window, each with the account it came from (null: a key without one) */
  unmet: { tags: string[]; accountId?: string | null }[];
  /** what one account adds to a grouping's unmet count at most (default UNMET_DEMAND_DEFAULTS.perAccount) */
  unmetPerAccount?: number;
  windowHours: number;
}

/** A grouping's unmet count: per account, at most `cap`. */
export function cappedUnmet(unmet: readonly { accountId?: string | null }[], cap: number): number {
  const perAccount = new Map<string | null, number>();
  for (const u of unmet) perAccount.set(u.accountId ?? null, (perAccount.get(u.accountId ?? null) ?? 0) + 1);
  return [...perAccount.values()].reduce((n, k) => n + Math.min(k, cap), 0);
}

/** The same figures as the SQL pass, computed row by row (counts, rates and capped unmet demand; trend is the SQL's alone). */
export function evaluateReference(d: ReferenceData): Omit<GroupingMetrics, 'trend' | 'depletionSeconds'>[] {
  return d.groupings.map((g) => {
    const members = d.endpoints.filter((e) => matches(e.tags, g.tags));
    const count = (states: readonly EndpointStateName[]) => members.filter((e) => states.includes(e.state)).length;
    return {
      groupingId: g.id,
      name: g.name,
      tags: g.tags,
      autoAdjust: g.autoAdjust,
      preferredProviderIds: g.preferredProviderIds,
      minAvailable: g.minAvailable,
      targetAvailable: g.targetAvailable,
      maxAvailable: g.maxAvailable,
      available: count(['AVAILABLE']),
      allocated: count(ALLOCATED_STATES),
      reserved: count(['RESERVED']),
      inQuarantine: count(PIPELINE_STATES),
      onOrder: d.openLines.filter((l) => l.groupingId === g.id).reduce((a, l) => a + stillExpected(l), 0),
      onRelease: d.openReleases.filter((l) => l.groupingId === g.id).reduce((a, l) => a + l.endpoints, 0),
      allocationRate: d.allocations.filter((a) => matches(a.tags, g.tags)).length / d.windowHours,
      unmetSearches: cappedUnmet(
        d.unmet.filter((u) => matches(u.tags, g.tags)),
        d.unmetPerAccount ?? UNMET_DEMAND_DEFAULTS.perAccount,
      ),
    };
  });
}
