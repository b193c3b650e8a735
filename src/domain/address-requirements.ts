// Whether buying a number needs an address on file, in Twilio's words (its
// `address_requirements`: none, any, local, foreign). The ONE place the
// answer is put in those words: the Twilio-compatible face's search (its
// field and the Exclude*AddressRequired filters) and its numbers ask here.
// Whether an address is required at all comes from the country rules
// (src/domain/regulation.ts, addressRequiredByRules): an address in the
// number's own country, which is Twilio's `local`.

export type AddressRequirement = 'none' | 'any' | 'local' | 'foreign';

/** Twilio's word for a number whose country rule does (or does not) require an address on file in that country. */
export function addressRequirementFor(addressRequired: boolean): AddressRequirement {
  return addressRequired ? 'local' : 'none';
}
