// What an allocation asks for when it names no address: criteria the best
// match is chosen by. They become classifier tags, the same the shelf is indexed by.
import { normaliseTags, TagError } from './classification';
import type { Capability } from './endpoint';
import { BadRequest } from './errors';
import { canonicalZone, localityTagValue, tzTagValue } from './geo';

export type CriteriaKind = 'mobile' | 'fixed_line' | 'fixed_line_or_mobile' | 'toll_free' | 'short_code' | 'sip';

export interface Criteria {
  /** ISO 3166 alpha-2, any case */
  country?: string;
  npa?: string;
  /** the exchange: the 3 digits after the NPA (needs `npa`) */
  nxx?: string;
  kind?: CriteriaKind;
  capabilities?: Capability[];
  /** ISO 3166-2, any case (us-ca) */
  region?: string;
  /** a town, with region (or country where the place data names no region) */
  locality?: string;
  /** IANA time zone */
  timeZone?: string;
  /** classifier tags, `dimension:value` */
  tags?: string[];
}

function zoneOf(zone: string): string {
  const canonical = canonicalZone(zone);
  if (!canonical) throw BadRequest.field('criteria.timeZone', `no IANA time zone "${zone}"`);
  return canonical;
}

function localityOf(c: Criteria): string {
  const region = c.region?.toLowerCase() ?? null;
  const country = c.country ?? region?.slice(0, 2);
  if (!country) throw BadRequest.field('criteria.locality', 'give region (us-ca) or, where there is none, country with it');
  return localityTagValue(country, region, c.locality!);
}

/** The criteria's tags, normalised; BadRequest for no criterion at all or a bad tag. */
export function criteriaTags(c: Criteria): string[] {
  const tags = [
    ...(c.country ? [`country:${c.country.toLowerCase()}`] : []),
    ...(c.npa ? [`npa:${c.npa}`] : []),
    ...(c.nxx ? [`nxx:${c.npa ?? ''}${c.nxx}`] : []),
    ...(c.kind ? [`kind:${c.kind}`] : []),
    ...(c.capabilities ?? []).map((x) => `cap:${x}`),
    ...(c.region ? [`region:${c.region.toLowerCase()}`] : []),
    ...(c.locality ? [`locality:${localityOf(c)}`] : []),
    ...(c.timeZone ? [`tz:${tzTagValue(zoneOf(c.timeZone))}`] : []),
    ...(c.tags ?? []),
  ];
  if (!tags.length) throw BadRequest.field('criteria', 'give at least one criterion');
  // the tag is the NPA and the exchange together: an exchange alone names no place
  if (c.nxx && !c.npa) throw BadRequest.field('criteria.nxx', 'needs npa (the exchange is the 3 digits after an area code)');
  try {
    return normaliseTags(tags);
  } catch (err) {
    if (err instanceof TagError) throw BadRequest.field('criteria.tags', err.reason);
    throw err;
  }
}
