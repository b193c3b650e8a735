// Search of AVAILABLE endpoints: by place, kind and capability, by digit
// patterns, near a number, by price and quality; paged by address. A search
// that finds nothing is unmet demand: recorded (once per account, criteria
// and UNMET_DEMAND_WINDOW), and the monitor is told.
import type { Db } from '../db/client';
import { recordUnmet } from '../db/demand';
import { countriesAvailable, searchAvailable } from '../db/search';
import { listRules } from '../db/country-rules';
import { effectiveRule, offeredPrice, type CountryRule } from '../domain/regulation';
import type { Caller } from '../domain/access';
import type { Capabilities } from '../domain/endpoint';
import type { EndpointKind } from '../domain/numbers';
import { nearPlace } from '../domain/search';
import { UNMET_DEMAND_DEFAULTS } from '../domain/inventory';
import { normaliseTags, TagError } from '../domain/classification';
import { BadRequest } from '../domain/errors';
import { canonicalZone, geoStatus, localityTagValue, placeOf, tzTagValue } from '../domain/geo';
import { AddressError, parseAddress } from '../domain/numbers';

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
  /** any of these kinds (the Twilio face's Local is fixed lines and fixed-or-mobile numbers) */
  kinds?: EndpointKind[];
  /** comma-separated: voice, sms, mms, fax */
  capabilities?: string;
  /** capabilities a match must not offer (Twilio's SmsEnabled=false) */
  lacking?: ('voice' | 'sms' | 'mms' | 'fax')[];
  /** digit patterns (keypad letters already digits), `*` any one digit */
  contains?: string;
  startsWith?: string;
  endsWith?: string;
  /** a NANP number: nearest first, one page */
  near?: string;
  maxPrice?: number;
  minQuality?: number;
  /** ISO 3166-2, any case (us-ca) */
  region?: string;
  /** a town, with `region` (or, where the data names no region, `country`) */
  locality?: string;
  /** IANA time zone (America/Los_Angeles) */
  timeZone?: string;
  postalCode?: string;
  rateCenter?: string;
  lata?: string;
  /** within distanceKm of this point, closest first */
  nearLatLong?: { latitude: number; longitude: number };
  /** within distanceKm of where this number is (geographically: its locality), closest first */
  nearNumber?: string;
  /** with nearLatLong / nearNumber; default NEAR_DEFAULT_KM */
  distanceKm?: number;
  limit: number;
  /** the last address of the page before */
  after?: string;
}

/** How far a geographic search reaches unless told: 40 km, about the 25 miles Twilio's Distance defaults to. */
export const NEAR_DEFAULT_KM = 40;

export interface FoundEndpoint {
  address: string;
  kind: EndpointKind;
  country: string | null;
  npa: string | null;
  nxx: string | null;
  capabilities: Capabilities;
  monthlyCostCents: number;
  /** its country's rule limits it to domestic use (src/domain/regulation.ts): a limited endpoint */
  domesticOnly: boolean;
  /** its country's rule requires the account to have an address on file in that country */
  addressRequired: boolean;
  /** what it is offered for a month: the cost, less the domestic-only discount where that applies */
  offeredPriceCents: number;
  qualityScore: number | null;
  /** unknown: the place data cannot place the number (every place field null) */
  geo: 'known' | 'unknown';
  region: string | null;
  locality: string | null;
  timeZone: string | null;
  latitude: number | null;
  longitude: number | null;
  postalCode: string | null;
  rateCenter: string | null;
  lata: string | null;
  /** near a point or a number: great-circle km from it */
  distanceKm?: number;
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
  const region = q.region?.toLowerCase();
  if (region) tags.push(`region:${region}`);
  if (q.locality) {
    const country = q.country ?? region?.slice(0, 2);
    if (!country) throw BadRequest.field('locality', 'give region (us-ca) or, where there is none, country with it');
    tags.push(`locality:${localityTagValue(country, region ?? null, q.locality)}`);
  }
  if (q.timeZone) tags.push(`tz:${tzTagValue(q.timeZone)}`);
  return tags.sort();
}

/** The point a geographic search is near, from a latitude / longitude or a number the place data can place. */
function nearPoint(q: SearchQuery): { latitude: number; longitude: number; km: number } | undefined {
  if (q.nearLatLong && q.nearNumber) throw BadRequest.field('nearNumber', 'give nearLatLong or nearNumber, not both');
  const km = q.distanceKm ?? NEAR_DEFAULT_KM;
  if (q.nearLatLong) return { ...q.nearLatLong, km };
  if (!q.nearNumber) {
    if (q.distanceKm !== undefined) throw BadRequest.field('distanceKm', 'only with nearLatLong or nearNumber');
    return undefined;
  }
  let place;
  try {
    place = placeOf(parseAddress(q.nearNumber));
  } catch (err) {
    if (err instanceof AddressError) throw BadRequest.field('nearNumber', err.reason);
    throw err;
  }
  if (place.latitude === null || place.longitude === null) {
    throw BadRequest.field('nearNumber', `the place data has no coordinates for this number (${place.place ?? 'unknown place'})`);
  }
  return { latitude: place.latitude, longitude: place.longitude, km };
}

export async function search(deps: SearchDeps, who: Caller, input: SearchQuery): Promise<SearchAnswer> {
  let q = input;
  if (q.timeZone !== undefined) {
    const zone = canonicalZone(q.timeZone);
    if (!zone) throw BadRequest.field('timeZone', `no IANA time zone "${q.timeZone}"`);
    q = { ...q, timeZone: zone };
  }
  const tags = queryTags(q);
  const near = q.near ? nearPlace(q.near) : undefined;
  const point = nearPoint(q);
  if (near && point) throw BadRequest.field('near', 'near (numerically, same area code) and nearLatLong / nearNumber (geographically) exclude each other');
  try {
    normaliseTags(tags);
  } catch (err) {
    if (err instanceof TagError) throw BadRequest.field(err.tag.split(':')[0] === 'tz' ? 'timeZone' : err.tag.split(':')[0]!, err.reason);
    throw err;
  }
  // a region or a time zone is a broad filter: by its column, whose index (value, address) reads a page in address order
  // at once; as a tag, the planner must guess between the tag index and walking the addresses (bench/search.bench.ts)
  const region = q.region?.toLowerCase();
  // the rules are a small table: read once per search, applied per row — and kinds a country does not sell are
  // left out by the statement itself (so pages stay full), only the countries the query can reach
  const rules = await listRules(deps.db);
  const country = (q.country ?? region?.slice(0, 2))?.toUpperCase();
  const soldOnly = rules
    .filter((r) => r.kind === null && r.kindsSold !== null && (country === undefined || r.country === country))
    .map((r) => ({ country: r.country, kinds: r.kindsSold! }));
  const asked = q.kind ? [q.kind] : (q.kinds ?? []);
  const rows = await searchAvailable(deps.db, {
    soldOnly,
    tags: tags.filter((t) => !t.startsWith('region:') && !t.startsWith('tz:')),
    region,
    timeZone: q.timeZone,
    nxx: q.npa ? undefined : q.nxx,
    kinds: q.kinds,
    lacking: q.lacking,
    contains: q.contains,
    startsWith: q.startsWith,
    endsWith: q.endsWith,
    maxPrice: q.maxPrice,
    minQuality: q.minQuality,
    after: q.after,
    near,
    point,
    postalCode: q.postalCode,
    rateCenter: q.rateCenter,
    lata: q.lata,
    limit: q.limit,
  });
  // a kind its country does not sell is not demand the shelf could ever meet
  const unsold = country !== undefined && asked.length > 0 && asked.every((k) => effectiveRule(rules, country, k)?.kindSold === false);
  if (rows.length === 0 && !q.after && !unsold) {
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
      ...domestic(rules, r),
      qualityScore: r.qualityScore,
      geo: geoStatus(r),
      region: r.region,
      locality: r.locality,
      timeZone: r.timeZone,
      latitude: r.latitude,
      longitude: r.longitude,
      postalCode: r.postalCode,
      rateCenter: r.rateCenter,
      lata: r.lata,
      ...(r.distanceKm !== undefined ? { distanceKm: r.distanceKm } : {}),
    })),
    next: rows.length === q.limit && !near && !point ? rows.at(-1)!.address : null,
  };
}

/** The countries with AVAILABLE endpoints (ISO 3166 alpha-2, upper case). */
export async function availableCountries(deps: Pick<SearchDeps, 'db'>): Promise<string[]> {
  return countriesAvailable(deps.db);
}

/** A found number's domestic-only flag and the price it is offered at, by its country's rules. */
function domestic(rules: CountryRule[], r: { country: string | null; kind: string; monthlyCostCents: number }) {
  const rule = effectiveRule(rules, r.country?.trim() ?? null, r.kind as EndpointKind);
  return {
    domesticOnly: rule?.domesticOnly ?? false,
    addressRequired: rule?.addressRequired ?? false,
    offeredPriceCents: offeredPrice(r.monthlyCostCents, rule),
  };
}
