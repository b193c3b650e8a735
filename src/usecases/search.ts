// Search of AVAILABLE endpoints: by place, kind and capability, by digit
// patterns, near a number, by price and quality; paged by address. A search
// that finds nothing is unmet demand: recorded (once per account, criteria
// and UNMET_DEMAND_WINDOW), and the monitor is told.
import type { Db } from '../db/client';
import { recordUnmet } from '../db/demand';
import { searchAvailable } from '../db/search';
import type { Caller } from '../domain/access';
import type { Capabilities } from '../domain/endpoint';
import type { EndpointKind } from '../domain/numbers';
import { nearPlace } from '../domain/search';
import { UNMET_DEMAND_DEFAULTS } from '../domain/inventory';

export interface SearchDeps {
  db: Db;
  /** tells the inventory monitor the shelf changed (coalesced) */
  notify: () => void;
  /** UNMET_DEMAND_WINDOW: an account's empty search for the same criteria counts once per this (default 1 hour) */
  unmetWindowMs?: number;
}

export interface SearchQuery {
  country?: string;
  npa?: string;
  /** the exchange: the 3 digits after the NPA; with `npa` a tag, alone a column match */
  nxx?: string;
  kind?: EndpointKind;
  /** comma-separated: voice, sms, mms, fax */
  capabilities?: string;
  /** digit patterns (keypad letters already digits), `*` any one digit */
  contains?: string;
  startsWith?: string;
  endsWith?: string;
  /** a NANP number: nearest first, one page */
  near?: string;
  maxPrice?: number;
  minQuality?: number;
  limit: number;
  /** the last address of the page before */
  after?: string;
}

export interface FoundEndpoint {
  address: string;
  kind: EndpointKind;
  country: string | null;
  npa: string | null;
  nxx: string | null;
  capabilities: Capabilities;
  monthlyCostCents: number;
  qualityScore: number | null;
}

export interface SearchAnswer {
  endpoints: FoundEndpoint[];
  /** pass as `after` for the next page; null on the last (and near a number, always) */
  next: string | null;
}

/** The classifier tags a query asks every match to carry, sorted. */
function queryTags(q: SearchQuery): string[] {
  const tags: string[] = [];
  if (q.country) tags.push(`country:${q.country.toLowerCase()}`);
  if (q.npa) tags.push(`npa:${q.npa}`);
  if (q.npa && q.nxx) tags.push(`nxx:${q.npa}${q.nxx}`);
  if (q.kind) tags.push(`kind:${q.kind.toLowerCase()}`);
  for (const c of q.capabilities?.split(',') ?? []) tags.push(`cap:${c}`);
  return tags.sort();
}

export async function search(deps: SearchDeps, who: Caller, q: SearchQuery): Promise<SearchAnswer> {
  const tags = queryTags(q);
  const near = q.near ? nearPlace(q.near) : undefined;
  const rows = await searchAvailable(deps.db, {
    tags,
    nxx: q.npa ? undefined : q.nxx,
    contains: q.contains,
    startsWith: q.startsWith,
    endsWith: q.endsWith,
    maxPrice: q.maxPrice,
    minQuality: q.minQuality,
    after: q.after,
    near,
    limit: q.limit,
  });
  if (rows.length === 0 && !q.after) {
    const windowMs = deps.unmetWindowMs ?? UNMET_DEMAND_DEFAULTS.windowMs;
    if (await recordUnmet(deps.db, { tags, accountId: who.accountIds[0] ?? null, windowMs })) deps.notify();
  }
  return {
    endpoints: rows.map((r) => ({
      address: r.address,
      kind: r.kind as EndpointKind,
      country: r.country?.trim() ?? null,
      npa: r.npa,
      nxx: r.nxx,
      capabilities: { voice: r.voice, sms: r.sms, mms: r.mms, fax: r.fax },
      monthlyCostCents: r.monthlyCostCents,
      qualityScore: r.qualityScore,
    })),
    next: rows.length === q.limit && !near ? rows.at(-1)!.address : null,
  };
}
