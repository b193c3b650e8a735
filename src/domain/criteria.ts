// What an allocation asks for when it names no address: criteria the best
// match is chosen by. They become classifier tags, the same the shelf is indexed by.
import { normaliseTags, TagError } from './classification';
import type { Capability } from './endpoint';
import { BadRequest } from './errors';

export type CriteriaKind = 'mobile' | 'fixed_line' | 'fixed_line_or_mobile' | 'toll_free' | 'short_code' | 'sip';

export interface Criteria {
  /** ISO 3166 alpha-2, any case */
  country?: string;
  npa?: string;
  /** the exchange: the 3 digits after the NPA (needs `npa`) */
  nxx?: string;
  kind?: CriteriaKind;
  capabilities?: Capability[];
  /** classifier tags, `dimension:value` */
  tags?: string[];
}

/** The criteria's tags, normalised; BadRequest for no criterion at all or a bad tag. */
export function criteriaTags(c: Criteria): string[] {
  const tags = [
    ...(c.country ? [`country:${c.country.toLowerCase()}`] : []),
    ...(c.npa ? [`npa:${c.npa}`] : []),
    ...(c.nxx ? [`nxx:${c.npa ?? ''}${c.nxx}`] : []),
    ...(c.kind ? [`kind:${c.kind}`] : []),
    ...(c.capabilities ?? []).map((x) => `cap:${x}`),
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
