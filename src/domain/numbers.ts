// Parsing and canonicalisation of telephone endpoint addresses.
//
// Everything that stores or compares endpoints goes through parseAddress so
// that one endpoint has exactly one spelling in the database.

import { parsePhoneNumberWithError, isSupportedCountry, ParseError, type CountryCode, type NumberType, type PhoneNumber } from 'libphonenumber-js/max'; // 'max' metadata: the smaller sets can't tell MOBILE from FIXED_LINE.

// Mirrors the Postgres enum; keep the two in step.
export type EndpointKind =
  | 'MOBILE'
  | 'FIXED_LINE'
  | 'FIXED_LINE_OR_MOBILE'
  | 'TOLL_FREE'
  | 'PREMIUM_RATE'
  | 'SHARED_COST'
  | 'VOIP'
  | 'PERSONAL_NUMBER'
  | 'UAN'
  | 'OTHER'
  | 'SHORT_CODE'
  | 'SIP';

export interface ParsedAddress {
  /** Canonical form: E.164, `<ISO country>:<digits>` for short codes, `sip:user@host` for SIP. */
  address: string;
  kind: EndpointKind;
  country: string | null;
  npa: string | null;
  nxx: string | null;
  line: string | null;
  /** National significant number, short code digits, or '' for SIP. */
  digits: string;
}

export interface ParseAddressOptions {
  /** ISO 3166-1 alpha-2; enables national-format numbers and bare short codes. */
  defaultCountry?: string;
}

export class AddressError extends Error {
  readonly reason: string;

  constructor(input: string, reason: string) {
    super(`invalid address ${JSON.stringify(input)}: ${reason}`);
    this.name = 'AddressError';
    this.reason = reason;
  }
}

/** Syntactic check only (ITU-T E.164: at most 15 digits, no leading 0); says nothing about assignment. */
export function isE164(s: string): boolean {
  return /^\+[1-9]\d{1,14}$/.test(s);
}

export function parseAddress(input: string, options: ParseAddressOptions = {}): ParsedAddress {
  const text = input.trim();
  function fail(reason: string): never {
    throw new AddressError(input, reason);
  }

  let defaultCountry: CountryCode | undefined;
  if (options.defaultCountry !== undefined) {
    const cc = options.defaultCountry.toUpperCase();
    if (!isSupportedCountry(cc)) fail(`unknown default country ${options.defaultCountry}`);
    defaultCountry = cc;
  }

  if (text === '') fail('address is empty');
  if (/^sips?:/i.test(text)) return parseSip(text, fail);

  const shortCode = /^([A-Za-z]{2}):(\d+)$/.exec(text);
  if (shortCode) {
    const cc = shortCode[1]!.toUpperCase();
    if (!isSupportedCountry(cc)) fail(`unknown country ${shortCode[1]}`);
    return makeShortCode(cc, shortCode[2]!, fail);
  }

  // Whitelist the punctuation people actually type. This keeps out vanity
  // letters, extensions and surrounding prose, which libphonenumber-js would
  // otherwise reject with a vaguer error or (extensions) silently accept.
  if (!/^\+?[\d\s().-]+$/.test(text)) {
    fail('a phone number may contain only digits, a leading +, spaces, dashes, dots and parentheses');
  }

  // A bare 3-8 digit string is a short code unless it is a complete valid
  // number in the default country (8-digit national numbers exist, e.g. SG, DK).
  if (defaultCountry && /^\d{3,8}$/.test(text)) {
    const phone = tryLibParse(text, defaultCountry);
    if (phone?.isValid()) return fromPhone(phone);
    return makeShortCode(defaultCountry, text, fail);
  }

  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumberWithError(text, { defaultCountry, extract: false });
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return fail(describeParseError(e.message, text.startsWith('+')));
  }
  if (!phone.isValid()) {
    // phone.country is only set when libphonenumber-js pinned the number to a
    // country; for national input the caller told us which country was meant.
    const country = phone.country ?? (text.startsWith('+') ? undefined : defaultCountry);
    fail(`not a valid phone number for ${country ?? 'any country'}`);
  }
  return fromPhone(phone);
}

export function tryParseAddress(input: string, options?: ParseAddressOptions): { ok: true; value: ParsedAddress } | { ok: false; reason: string } {
  try {
    return { ok: true, value: parseAddress(input, options) };
  } catch (e) {
    if (e instanceof AddressError) return { ok: false, reason: e.reason };
    throw e; // A non-AddressError is a bug, not bad input.
  }
}

function tryLibParse(text: string, defaultCountry: CountryCode): PhoneNumber | undefined {
  try {
    return parsePhoneNumberWithError(text, { defaultCountry, extract: false });
  } catch {
    return undefined;
  }
}

function fromPhone(phone: PhoneNumber): ParsedAddress {
  const nsn = phone.nationalNumber;
  const base = { address: phone.number, kind: toKind(phone.getType()), country: phone.country ?? null, digits: nsn };
  // Valid NANP numbers are always NPA-NXX-XXXX.
  if (phone.countryCallingCode === '1') {
    return { ...base, npa: nsn.slice(0, 3), nxx: nsn.slice(3, 6), line: nsn.slice(6) };
  }
  return { ...base, npa: nationalDestinationCode(phone), nxx: null, line: null };
}

// Country calling code -> token that prefixes mobile NDCs in international format.
const MOBILE_TOKENS: Record<string, string> = { '54': '9' };

// libphonenumber-js has no getLengthOfNationalDestinationCode(), so this is
// the same heuristic Google's libphonenumber uses: the NDC is the first digit
// group of the international format (plus the mobile token, e.g. AR "9"), and
// there is none when the national number is formatted as a single group.
function nationalDestinationCode(phone: PhoneNumber): string | null {
  const groups = phone.formatInternational().split(/\D+/).filter(Boolean); // [cc, g1, g2, ...]
  if (groups.length < 3) return null;
  let ndc = groups[1]!;
  if (ndc === MOBILE_TOKENS[phone.countryCallingCode] && phone.getType() === 'MOBILE') ndc += groups[2]!;
  return phone.nationalNumber.startsWith(ndc) ? ndc : null;
}

function toKind(type: NumberType): EndpointKind {
  switch (type) {
    case 'MOBILE':
    case 'FIXED_LINE':
    case 'FIXED_LINE_OR_MOBILE':
    case 'TOLL_FREE':
    case 'PREMIUM_RATE':
    case 'SHARED_COST':
    case 'VOIP':
    case 'PERSONAL_NUMBER':
    case 'UAN':
      return type;
    default:
      return 'OTHER'; // PAGER, VOICEMAIL and undetermined types have no enum value.
  }
}

function makeShortCode(country: string, digits: string, fail: (reason: string) => never): ParsedAddress {
  if (digits.length < 3 || digits.length > 8) fail('short codes are 3 to 8 digits');
  return { address: `${country}:${digits}`, kind: 'SHORT_CODE', country, npa: null, nxx: null, line: null, digits };
}

// Deliberately narrower than RFC 3261: a user part is required and URI
// parameters/headers are refused, because we can't canonicalise them safely.
const SIP_RE = /^(sips?):([^\s@:;?]+)@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i;

function parseSip(text: string, fail: (reason: string) => never): ParsedAddress {
  const m = SIP_RE.exec(text);
  if (!m) return fail('SIP address must look like sip:user@host');
  const [, scheme, user, host, port] = m;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) fail('SIP port must be 1 to 65535');
  // Host and scheme are case-insensitive; the user part is not (RFC 3261 19.1.4).
  // sips: stays sips: because RFC 3261 says a SIP and a SIPS URI are never equivalent.
  const address = `${scheme!.toLowerCase()}:${user}@${host!.toLowerCase()}${port !== undefined ? `:${port}` : ''}`;
  return { address, kind: 'SIP', country: null, npa: null, nxx: null, line: null, digits: '' };
}

function describeParseError(code: string, international: boolean): string {
  switch (code) {
    case 'INVALID_COUNTRY':
      return international
        ? 'unknown country calling code'
        : 'national-format numbers need a default country; otherwise start with + and the country calling code';
    case 'TOO_SHORT':
      return 'too short to be a phone number';
    case 'TOO_LONG':
      return 'too long to be a phone number';
    case 'NOT_A_NUMBER':
      return 'not a phone number';
    default:
      return `not a valid phone number (${code})`;
  }
}
