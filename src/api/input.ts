// Inputs that need more than a schema: an address must parse, and a bad one
// is a 400 naming the field and the reason.
import { z } from 'zod';
import { BadRequest } from './errors';
import { parseAddress, AddressError } from '../domain/numbers';

export function addressField(input: string, field = 'address'): string {
  try {
    return parseAddress(input).address;
  } catch (err) {
    if (err instanceof AddressError) throw new BadRequest(`${field}: ${err.reason}`, [{ field, reason: err.reason }]);
    throw err;
  }
}

/** Criteria fields the search and allocation routes share. */
export const countryCode = z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166 alpha-2 code');
export const areaCode = z.string().regex(/^\d{2,5}$/, '2-5 digits');
