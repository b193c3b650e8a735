// The Twilio-compatible face's identifiers and formats, as pure rules: the
// sids a Twilio client sees (AC… for an account, SK… for an API key, PN… for
// a number an account holds), RFC 2822 dates, and the keypad-and-wildcard
// patterns Twilio's filters take. Every sid is 2 letters and 32 lower-case hex
// digits, derived from ids the service already has, so nothing is stored.
import { createHash } from 'node:crypto';

const HEX32 = /^[0-9a-f]{32}$/;
const sha = (s: string) => createHash('sha256').update(s).digest();

/** AC + the first 16 bytes of SHA-256 of the account id: stable, and the same in every process. */
export const accountSid = (accountId: string): string => `AC${sha(`account:${accountId}`).subarray(0, 16).toString('hex')}`;

/** Which of these accounts a sid names (a key acts for few accounts: each is derived and compared). */
export function accountOfSid(sid: string, accountIds: readonly string[]): string | undefined {
  const wanted = sid.toLowerCase();
  return accountIds.find((id) => accountSid(id).toLowerCase() === wanted);
}

/** SK + the key's id (a UUID) without its dashes: an API key SID names one key. */
export const apiKeySid = (keyId: string): string => `SK${keyId.replace(/-/g, '').toLowerCase()}`;

const mask = (accountId: string) => sha(`number:${accountId}`).subarray(0, 16);

/**
 * PN + the endpoint's id (a UUID) masked with its holder's account: the same
 * number held by another account is another sid (a Twilio IncomingPhoneNumber
 * is one account's holding), and the sid alone names no endpoint.
 */
export function phoneNumberSid(endpointId: string, accountId: string): string {
  const id = Buffer.from(endpointId.replace(/-/g, ''), 'hex');
  const m = mask(accountId);
  return `PN${Buffer.from(id.map((b, i) => b ^ m[i]!)).toString('hex')}`;
}

/** The endpoint id a PN sid of this account stands for; undefined when it is not a PN sid. */
export function endpointIdOfSid(sid: string, accountId: string): string | undefined {
  const hex = sid.slice(2).toLowerCase();
  if (!sid.startsWith('PN') || !HEX32.test(hex)) return undefined;
  const m = mask(accountId);
  const raw = Buffer.from(Buffer.from(hex, 'hex').map((b, i) => b ^ m[i]!)).toString('hex');
  return `${raw.slice(0, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}-${raw.slice(16, 20)}-${raw.slice(20)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 2822 in UTC, as Twilio writes it: `Tue, 01 Dec 2026 10:00:00 +0000`. */
export function rfc2822(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** How Twilio writes a number for people: `(415) 555-0100` in the NANP, else the E.164 itself. */
export function friendlyNumber(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}
