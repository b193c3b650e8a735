// Provider selection: turns a batch of acquire requests into at most one order
// per provider.
//
// Pure and deterministic (no clock, no randomness, explicit tie-breaks,
// code-unit string comparison rather than localeCompare) so that a retried or
// replayed batch produces exactly the same orders. A place tag's area code
// comes from the shipped geo data (read once, from files): activities only.
import { areaCodeOf } from './geo';

export interface ProviderInfo {
  id: string;
  active: boolean;
  /** coverage: empty list = any */
  countries: string[];
  npas: string[];
  kinds: string[];
  costPerNumberCents: number;
  /** 0..1 */
  reliabilityScore: number;
  /** contract quota: at most this many numbers per period; null = none */
  quotaNumbers: number | null;
  /** numbers already ordered from this provider within the current quota period */
  orderedInPeriod: number;
}

export interface AcquireRequest {
  groupingId: string;
  /** the grouping's conjunction of tags */
  tags: string[];
  /** > 0 */
  quantity: number;
  preferredProviderIds?: string[];
}

/** What a carrier can actually be asked for, derived from a grouping's tags. */
export interface Requirements {
  country: string | null;
  npa: string | null;
  kind: string | null;
  capabilities: string[];
}

export interface OrderLinePlan extends Requirements {
  groupingId: string;
  tags: string[];
  quantity: number;
}

export interface ProviderOrderPlan {
  providerId: string;
  lines: OrderLinePlan[];
  total: number;
}

export interface Unfilled {
  groupingId: string;
  quantity: number;
  reason: string;
}

export interface Assignment {
  orders: ProviderOrderPlan[];
  unfilled: Unfilled[];
}

export interface SelectionWeights {
  cost: number;
  reliability: number;
  preferred: number;
}

// Cost and reliability both span 0..1 after normalisation, so equal weights
// trade them one for one. The preference bonus is deliberately small: it
// settles near-ties in the tenant's favour but must not route numbers to a
// much worse or much dearer carrier.
export const DEFAULT_WEIGHTS: SelectionWeights = Object.freeze({ cost: 1, reliability: 1, preferred: 0.2 });

export const REASON_QUOTA_EXHAUSTED = 'quota exhausted at every covering provider';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Carrier-orderable requirements of a tag conjunction.
 *
 * Only country, npa (also implied by `nxx:<npa><nxx>`, or, for a NANP
 * `locality:` or `region:`, the area code most of that place's number ranges
 * have in the geo data), kind and cap are used. Vanity, word, quality, clean
 * and tz describe individual numbers that carriers do not sell by, so they
 * don't narrow which provider may be asked; numbers delivered against such
 * groupings must be judged afterwards (a place's, too: an area code can
 * span places).
 * Capabilities are carried onto the order line but do not affect coverage:
 * ProviderInfo has no capability data. If a dimension appears twice (an
 * unsatisfiable conjunction) the first occurrence wins; an explicit npa tag
 * wins over one implied by nxx.
 */
export function requirementsOf(tags: string[]): Requirements {
  let country: string | null = null;
  let npa: string | null = null;
  let nxxNpa: string | null = null;
  let kind: string | null = null;
  let placeNpa: string | null = null;
  let regionNpa: string | null = null;
  const caps = new Set<string>();
  for (const tag of tags) {
    const colon = tag.indexOf(':');
    if (colon < 0) continue;
    const dim = tag.slice(0, colon).toLowerCase();
    const value = tag.slice(colon + 1);
    if (value === '') continue;
    switch (dim) {
      case 'country':
        country ??= value.toUpperCase();
        break;
      case 'npa':
        npa ??= value;
        break;
      case 'nxx':
        nxxNpa ??= value.slice(0, 3);
        break;
      case 'kind':
        kind ??= value.toUpperCase();
        break;
      case 'cap':
        caps.add(value.toLowerCase());
        break;
      case 'locality':
        placeNpa ??= areaCodeOf(`locality:${value.toLowerCase()}`);
        break;
      case 'region':
        regionNpa ??= areaCodeOf(`region:${value.toLowerCase()}`);
        break;
    }
  }
  return { country, npa: npa ?? nxxNpa ?? placeNpa ?? regionNpa, kind, capabilities: [...caps].sort(cmp) };
}

const inCoverage = (list: string[], wanted: string | null): boolean => wanted === null || list.length === 0 || list.includes(wanted);

/** Exact-match coverage: a provider listing only FIXED_LINE_OR_MOBILE does not cover kind MOBILE. */
export function covers(p: ProviderInfo, req: Requirements): boolean {
  return p.active && inCoverage(p.countries, req.country) && inCoverage(p.npas, req.npa) && inCoverage(p.kinds, req.kind);
}

/** Higher is better. `maxCost` is the dearest covering candidate's cost. */
export function scoreProvider(p: ProviderInfo, req: AcquireRequest, weights: SelectionWeights, maxCost: number): number {
  // Relative to the dearest candidate so the weight means the same whatever
  // the price level; if every candidate is free they are all "cheapest".
  const cheapness = maxCost > 0 ? 1 - p.costPerNumberCents / maxCost : 1;
  const preferred = req.preferredProviderIds?.includes(p.id) ? 1 : 0;
  return weights.reliability * p.reliabilityScore + weights.cost * cheapness + weights.preferred * preferred;
}

function describe(r: Requirements): string {
  const parts = [r.country && `country ${r.country}`, r.npa && `npa ${r.npa}`, r.kind && `kind ${r.kind}`].filter((s): s is string => !!s);
  return parts.length > 0 ? parts.join(', ') : 'any number';
}

/**
 * Greedy assignment: each request goes to its best covering provider up to
 * that provider's remaining quota, the rest spills down the ranking.
 * Larger requests go first because they are the hardest to place once quotas
 * are partly used; small ones can still fill the leftovers.
 */
export function assignRequests(requests: AcquireRequest[], providers: ProviderInfo[], weights: SelectionWeights = DEFAULT_WEIGHTS): Assignment {
  const given = new Map<string, number>();
  const lines = new Map<string, OrderLinePlan[]>();
  const unfilled: Unfilled[] = [];

  const remaining = (p: ProviderInfo): number =>
    p.quotaNumbers === null ? Infinity : Math.max(0, p.quotaNumbers - p.orderedInPeriod - (given.get(p.id) ?? 0));

  // Tags break the last tie so the result never depends on input order.
  const ordered = [...requests].sort((a, b) => b.quantity - a.quantity || cmp(a.groupingId, b.groupingId) || cmp(a.tags.join(' '), b.tags.join(' ')));

  for (const req of ordered) {
    if (!Number.isInteger(req.quantity) || req.quantity <= 0) {
      throw new RangeError(`acquire request for grouping ${req.groupingId}: quantity must be a positive integer, got ${req.quantity}`);
    }
    const r = requirementsOf(req.tags);
    const candidates = providers.filter((p) => covers(p, r));
    if (candidates.length === 0) {
      unfilled.push({ groupingId: req.groupingId, quantity: req.quantity, reason: `no active provider covers ${describe(r)}` });
      continue;
    }
    const maxCost = Math.max(...candidates.map((p) => p.costPerNumberCents));
    const ranked = candidates.map((p) => ({ p, score: scoreProvider(p, req, weights, maxCost) })).sort((a, b) => b.score - a.score || cmp(a.p.id, b.p.id));

    let left = req.quantity;
    for (const { p } of ranked) {
      if (left === 0) break;
      const take = Math.min(left, remaining(p));
      if (take <= 0) continue;
      given.set(p.id, (given.get(p.id) ?? 0) + take);
      const line: OrderLinePlan = { groupingId: req.groupingId, tags: [...req.tags], quantity: take, ...r, capabilities: [...r.capabilities] };
      const existing = lines.get(p.id);
      if (existing) existing.push(line);
      else lines.set(p.id, [line]);
      left -= take;
    }
    if (left > 0) unfilled.push({ groupingId: req.groupingId, quantity: left, reason: REASON_QUOTA_EXHAUSTED });
  }

  const orders = [...lines.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([providerId, ls]) => ({ providerId, lines: ls, total: ls.reduce((sum, l) => sum + l.quantity, 0) }));
  return { orders, unfilled };
}
