// How long numbers stay allocated (lifespan) and how likely a number still
// held is to come back (stickiness), per grouping, on a day grid. Pure.
//
// A holding runs from an allocation to the first transition out of
// ALLOCATED/PORTING_OUT. It ends "released" when it goes to AGING (the number
// comes back towards the shelf); any other end (retired, ported out) and a
// holding still running are censored: they say only that the number was held
// at least that long. The survival curve is Kaplan–Meier over both, so numbers
// still held (the sticky ones) are not forgotten; the lifespan distribution
// (percentiles, histogram) is that of the released holdings alone.

export const DAY_MS = 86_400_000;

/** Holdings of one grouping folded by whole days held (floor). */
export interface HoldingCount {
  days: number;
  /** ended by a release (to AGING) after `days` */
  released: number;
  /** ended another way (retired, ported out) after `days` */
  ended: number;
  /** still held, for `days` so far */
  held: number;
}

export interface LifespanDistribution {
  /** released holdings seen */
  count: number;
  /** days held, nearest-rank percentiles of the released holdings; null when none */
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p90: number | null;
  /** released holdings per bucket of days held: [from, to) days; the last is open-ended (to null) */
  buckets: { from: number; to: number | null; n: number }[];
}

/** The histogram's bucket edges in days (the last bucket is ≥ the last edge). */
export const LIFESPAN_BUCKET_EDGES = [0, 1, 7, 30, 90, 180, 365] as const;

function percentile(sorted: readonly { days: number; n: number }[], total: number, p: number): number | null {
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const r of sorted) {
    seen += r.n;
    if (seen >= rank) return r.days;
  }
  return sorted[sorted.length - 1]!.days;
}

export function lifespanDistribution(rows: readonly HoldingCount[]): LifespanDistribution {
  const released = rows
    .filter((r) => r.released > 0)
    .map((r) => ({ days: r.days, n: r.released }))
    .sort((a, b) => a.days - b.days);
  const count = released.reduce((a, r) => a + r.n, 0);
  const edges = LIFESPAN_BUCKET_EDGES;
  const buckets = edges.map((from, i) => {
    const to = i + 1 < edges.length ? edges[i + 1]! : null;
    return { from, to, n: released.filter((r) => r.days >= from && (to === null || r.days < to)).reduce((a, r) => a + r.n, 0) };
  });
  return {
    count,
    p25: percentile(released, count, 0.25),
    p50: percentile(released, count, 0.5),
    p75: percentile(released, count, 0.75),
    p90: percentile(released, count, 0.9),
    buckets,
  };
}

/**
 * Kaplan–Meier: `survival(d)` = P(a holding lasts at least d whole days),
 * releases as events, other ends and running holdings censored.
 */
export function survivalCurve(rows: readonly HoldingCount[]): (days: number) => number {
  const byDay = new Map<number, HoldingCount>();
  for (const r of rows) {
    const x = byDay.get(r.days) ?? { days: r.days, released: 0, ended: 0, held: 0 };
    byDay.set(r.days, { days: r.days, released: x.released + r.released, ended: x.ended + r.ended, held: x.held + r.held });
  }
  const days = [...byDay.values()].sort((a, b) => a.days - b.days);
  let atRisk = days.reduce((a, r) => a + r.released + r.ended + r.held, 0);
  // steps[i]: survival past day days[i] (holdings released at that day are gone)
  const steps: { day: number; s: number }[] = [];
  let s = 1;
  for (const r of days) {
    if (r.released > 0 && atRisk > 0) {
      s *= 1 - r.released / atRisk;
      steps.push({ day: r.days, s });
    }
    atRisk -= r.released + r.ended + r.held;
  }
  return (d: number) => {
    let v = 1;
    for (const step of steps) {
      if (step.day < d) v = step.s;
      else break;
    }
    return v;
  };
}

/**
 * Stickiness: P(released within `windowDays` | held `ageDays` so far)
 * = (S(age) − S(age + window)) / S(age). 0 when no holding in the data lasted
 * this long (nothing says it will go): the monitor then orders as before.
 */
export function releaseProbability(survival: (days: number) => number, ageDays: number, windowDays: number): number {
  if (windowDays <= 0) return 0;
  const now = survival(ageDays);
  if (now <= 0) return 0;
  return Math.min(1, Math.max(0, (now - survival(ageDays + windowDays)) / now));
}

/**
 * Fewer released holdings than this in a grouping's history say too little:
 * no release is predicted (a handful of quick test releases must not stop the
 * monitor from ordering).
 */
export const MIN_RELEASED_HOLDINGS = 20;

export interface ReleasePrediction {
  /** expected releases that reach the pipeline within the window: the sum of the held numbers' probabilities */
  predictedReleases: number;
  /** numbers held now */
  held: number;
  /** the window the probabilities are for, in days (the horizon less the shelf delay) */
  windowDays: number;
}

/**
 * Expected releases of a grouping's held numbers within `horizonMs`, counting
 * only releases that are back within it: a release `shelfDelayMs` before the
 * horizon's end is too late (the window is horizon − delay, 0 when negative).
 * Nothing is predicted from fewer than MIN_RELEASED_HOLDINGS releases.
 */
export function predictReleases(rows: readonly HoldingCount[], opts: { horizonMs: number; shelfDelayMs: number }): ReleasePrediction {
  const windowDays = Math.max(0, opts.horizonMs - opts.shelfDelayMs) / DAY_MS;
  const held = rows.reduce((a, r) => a + r.held, 0);
  if (rows.reduce((a, r) => a + r.released, 0) < MIN_RELEASED_HOLDINGS) return { predictedReleases: 0, held, windowDays };
  const survival = survivalCurve(rows);
  let predictedReleases = 0;
  for (const r of rows) {
    if (!r.held) continue;
    predictedReleases += r.held * releaseProbability(survival, r.days, windowDays);
  }
  return { predictedReleases, held, windowDays };
}

/**
 * Each grouping's metrics with its predicted releases (src/domain/inventory.ts
 * `decide` subtracts them); groupings without holdings are left as they are.
 */
export function withReleasePredictions<M extends { groupingId: string; predictedReleases?: number; prediction?: { held: number; windowDays: number } }>(
  metrics: M[],
  lifespans: ReadonlyMap<string, readonly HoldingCount[]>,
  opts: { horizonMs: number; shelfDelayMs: number },
): M[] {
  return metrics.map((m) => {
    const rows = lifespans.get(m.groupingId);
    if (!rows) return m;
    const { predictedReleases, held, windowDays } = predictReleases(rows, opts);
    return { ...m, predictedReleases, prediction: { held, windowDays } };
  });
}
