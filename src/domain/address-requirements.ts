// Whether buying a number needs an address on file, in Twilio's words (its
// `address_requirements`: none, any, local, foreign). The ONE place the
// answer comes from: the Twilio-compatible face's search (its field and the
// Exclude*AddressRequired filters) and purchase ask here. Per-country rules
// (a regulation manager) are not built yet, so every number answers `none`;
// wiring them in means changing this function alone.
import type { EndpointKind } from './numbers';

export type AddressRequirement = 'none' | 'any' | 'local' | 'foreign';

/** The address a buyer must have on file for a number of this country (ISO 3166 alpha-2) and kind. */
export function addressRequirementFor(_country: string | null, _kind: EndpointKind): AddressRequirement {
  return 'none';
}
