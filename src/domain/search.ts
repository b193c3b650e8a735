// What a search may ask for, as rules: digit patterns (letters map to the
// phone keypad, `*` matches any one digit) and a number to search near.
import { addressField } from './address';
import { lettersToDigits } from './classification';
import { BadRequest } from './errors';

/** How many digits of a pattern are fixed (not `*`). */
export const fixedDigits = (pattern: string | undefined): number => (pattern ?? '').replace(/\*/g, '').length;

/** A pattern's digits (letters become keypad digits), or why it is refused. */
export function digitPattern(input: string, minDigits: number): { digits: string } | { reason: string } {
  const digits = lettersToDigits(input);
  if (!/^[0-9*]+$/.test(digits)) return { reason: 'digits, letters (phone keypad) or * only' };
  // a short pattern matches a large part of the shelf: no index makes that fast
  if (fixedDigits(digits) < minDigits) return { reason: `at least ${minDigits} digits (shorter patterns match too much to search fast)` };
  return { digits };
}

/** Where a NANP number sits: area code, exchange, line. */
export interface NanpPlace {
  npa: string;
  nxx: string;
  line: number;
}

/** The number a search is near: a NANP number, else BadRequest on `near`. */
export function nearPlace(input: string): NanpPlace {
  const digits = addressField(input, 'near').replace(/^\+1/, '');
  if (!/^\d{10}$/.test(digits)) throw BadRequest.field('near', 'a NANP number (+1 and ten digits)');
  return { npa: digits.slice(0, 3), nxx: digits.slice(3, 6), line: Number(digits.slice(6)) };
}
