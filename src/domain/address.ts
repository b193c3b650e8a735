// An address given as input: it must parse (E.164, a short code or a SIP
// URI); a failure is bad input naming the field and the reason.
import { BadRequest } from './errors';
import { AddressError, parseAddress } from './numbers';

/** The canonical address, or BadRequest `<field>: <reason>`. */
export function addressField(input: string, field = 'address'): string {
  try {
    return parseAddress(input).address;
  } catch (err) {
    if (err instanceof AddressError) throw BadRequest.field(field, err.reason);
    throw err;
  }
}
