// The Twilio-compatible face's words: its parameters (PascalCase, form-encoded
// or in the query) turned into the use cases' input, the use cases' answers
// turned into Twilio's resources (snake case, RFC 2822 dates, `uri` fields,
// sids), its pages, and its error body `{code, message, more_info, status}`.
// No I/O here: the routes call the use cases and map through this module.
import { ZodError } from 'zod';
import { z } from '../../openapi';
import { HttpError } from '../../errors';
import { addressRequirementFor } from '../../../domain/address-requirements';
import { BadRequest, DomainError } from '../../../domain/errors';
import type { EndpointKind } from '../../../domain/numbers';
import { friendlyNumber, phoneNumberSid, rfc2822 } from '../../../domain/twilio';
import type { FoundEndpoint, SearchQuery } from '../../../usecases/search';
import type { NumberUpdate, NumberView } from '../../../usecases/numbers';

export const API_VERSION_PATH = '/2010-04-01';
/** Twilio's km per mile: Distance is in miles */
const KM_PER_MILE = 1.609344;

// ------------------------------------------------------------ number types

/** the three lists Twilio sells from, and the service's kinds each holds */
export const NUMBER_TYPES = {
  Local: { kinds: ['FIXED_LINE', 'FIXED_LINE_OR_MOBILE'] as EndpointKind[], criteriaKind: undefined },
  Mobile: { kinds: ['MOBILE'] as EndpointKind[], criteriaKind: 'mobile' as const },
  TollFree: { kinds: ['TOLL_FREE'] as EndpointKind[], criteriaKind: 'toll_free' as const },
};
export type NumberType = keyof typeof NUMBER_TYPES;

// ------------------------------------------------------------ parameters

const bool = z.enum(['true', 'false', 'True', 'False']).transform((v) => v.toLowerCase() === 'true');
const param = (description: string) => ({ description });

/** `''` clears a URL (as Twilio takes it); otherwise an absolute http(s) URL */
const url = z
  .string()
  .max(2000)
  .refine((v) => {
    if (v === '') return true;
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'an absolute http(s) URL (or empty to clear it)')
  .transform((v) => (v === '' ? null : v));
const method = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(['GET', 'POST'], { message: 'GET or POST' }))
  .openapi({ type: 'string', enum: ['GET', 'POST'] });

/** Twilio's filters of AvailablePhoneNumbers/{IsoCountry}/{Type}.json (docs/api.md#the-twilio-compatible-face) */
export const SearchParams = z
  .object({
    AreaCode: z
      .string()
      .regex(/^\d{3}$/, '3 digits')
      .optional()
      .openapi(param('the area code of the numbers to find (NANP: 3 digits)')),
    Contains: z
      .string()
      .regex(/^\+?[0-9A-Za-z*]{2,16}$/, 'digits, letters (phone keypad) and * (any one digit), at least 2 characters')
      .optional()
      .openapi(
        param(
          'a pattern: digits, letters (keypad) and `*` for any one digit. With a leading + it is the whole number from its start (country code included); a pattern as long as the national number matches from its start; else anywhere (at least 4 digits that are not `*`)',
        ),
      ),
    SmsEnabled: bool.optional().openapi(param('true: only numbers that take SMS; false: only numbers that do not')),
    MmsEnabled: bool.optional().openapi(param('true: only numbers that take MMS; false: only numbers that do not')),
    VoiceEnabled: bool.optional().openapi(param('true: only numbers that take calls; false: only numbers that do not')),
    FaxEnabled: bool.optional().openapi(param('true: only numbers that take fax; false: only numbers that do not')),
    NearNumber: z.string().max(30).optional().openapi(param('a number: matches within Distance miles of where it is placed, closest first')),
    NearLatLong: z
      .string()
      .max(60)
      .regex(/^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$/, 'latitude,longitude, e.g. 37.77,-122.42')
      .optional()
      .openapi(param('latitude,longitude: matches within Distance miles of it, closest first')),
    Distance: z.coerce
      .number()
      .int()
      .min(0)
      .max(500)
      .optional()
      .openapi({ type: 'integer', description: 'with NearNumber or NearLatLong: the radius in miles (default 25, at most 500)' }),
    InRegion: z
      .string()
      .regex(/^[A-Za-z0-9]{1,3}$/, "a region's code within the country, e.g. CA")
      .optional()
      .openapi(param("the region (state or province code, e.g. `CA`) of the number's place")),
    InLocality: z.string().min(1).max(100).optional().openapi(param("the town of the number's place")),
    InPostalCode: z.string().min(1).max(20).optional().openapi(param("the postal code of the number's place (known only where its town has one)")),
    InRateCenter: z.string().min(1).max(50).optional().openapi(param('the NANP rate center (known only where the carrier gave it)')),
    InLata: z
      .string()
      .regex(/^\d{3,5}$/, '3-5 digits')
      .optional()
      .openapi(param('the NANP LATA (known only where the carrier gave it)')),
    ExcludeAllAddressRequired: bool.optional().openapi(param('true: leave out numbers that need any address on file')),
    ExcludeLocalAddressRequired: bool.optional().openapi(param('true: leave out numbers that need a local address on file')),
    ExcludeForeignAddressRequired: bool.optional().openapi(param('true: leave out numbers that need a foreign address on file')),
    Beta: bool.optional().openapi(param('whether to include numbers new to the service (none is beta here: no effect)')),
    PageSize: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .openapi({ type: 'integer', description: 'how many numbers at most (1–1000; at most 100 are answered; default 50)' }),
    Page: z.coerce.number().int().min(0).optional().openapi({ type: 'integer', description: 'ignored: a search answers one page, as on Twilio' }),
    PageToken: z.string().max(400).optional().openapi(param('ignored: a search answers one page, as on Twilio')),
  })
  .strict();
export type SearchParams = z.infer<typeof SearchParams>;

/** The search use case's query for Twilio's filters of one country and number type. */
export function searchQuery(country: string, type: NumberType, p: SearchParams): SearchQuery {
  const want = (c: 'voice' | 'sms' | 'mms' | 'fax', v: boolean | undefined) => (v === true ? [c] : []);
  const lack = (c: 'voice' | 'sms' | 'mms' | 'fax', v: boolean | undefined) => (v === false ? [c] : []);
  const caps = [...want('voice', p.VoiceEnabled), ...want('sms', p.SmsEnabled), ...want('mms', p.MmsEnabled), ...want('fax', p.FaxEnabled)];
  const lacking = [...lack('voice', p.VoiceEnabled), ...lack('sms', p.SmsEnabled), ...lack('mms', p.MmsEnabled), ...lack('fax', p.FaxEnabled)];
  const near = p.NearNumber !== undefined || p.NearLatLong !== undefined;
  const q: SearchQuery = {
    country,
    npa: p.AreaCode,
    kinds: NUMBER_TYPES[type].kinds,
    capabilities: caps.length ? caps.join(',') : undefined,
    lacking: lacking.length ? lacking : undefined,
    region: p.InRegion ? `${country}-${p.InRegion}`.toLowerCase() : undefined,
    locality: p.InLocality,
    postalCode: p.InPostalCode,
    rateCenter: p.InRateCenter,
    lata: p.InLata,
    nearNumber: p.NearNumber,
    nearLatLong: p.NearLatLong ? latLong(p.NearLatLong) : undefined,
    distanceKm: near ? Math.max(1, p.Distance ?? 25) * KM_PER_MILE : undefined,
    limit: Math.min(p.PageSize ?? 50, 100),
  };
  return { ...q, ...containsPattern(country, p.Contains) };
}

function latLong(v: string): { latitude: number; longitude: number } {
  const [latitude, longitude] = v.split(',').map((x) => Number(x.trim())) as [number, number];
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) throw BadRequest.field('NearLatLong', 'latitude -90..90, longitude -180..180');
  return { latitude, longitude };
}

/** the national number's length Twilio's full-length patterns are written against */
const NATIONAL_LENGTH: Record<string, { cc: string; length: number }> = { US: { cc: '1', length: 10 }, CA: { cc: '1', length: 10 } };

/**
 * Twilio's Contains as the search's digit patterns (matched against the
 * national number): `+1415*******` is from the start with the country code
 * dropped; a pattern as long as the national number (`510555****`) is from
 * the start; anything shorter (`STORM`, `555`) is anywhere in it.
 */
function containsPattern(country: string, pattern: string | undefined): Pick<SearchQuery, 'contains' | 'startsWith'> {
  if (pattern === undefined) return {};
  const national = NATIONAL_LENGTH[country];
  if (pattern.startsWith('+')) {
    const rest = pattern.slice(1);
    if (!national || !rest.startsWith(national.cc)) throw BadRequest.field('Contains', `with a leading + it starts with the country code`);
    return { startsWith: rest.slice(national.cc.length) || undefined };
  }
  if (national && pattern.length === national.length) return { startsWith: pattern };
  return { contains: pattern };
}

/** IncomingPhoneNumbers list filters and Twilio's paging */
export const IncomingListParams = z
  .object({
    PhoneNumber: z
      .string()
      .regex(/^\+?[\d*]{1,15}$/, 'digits of the number (an optional leading +, * for any one digit)')
      .transform((v) => v.replace(/^\+/, ''))
      .optional()
      .openapi({ type: 'string', description: 'digits the number contains (an optional leading +; `*` any one digit)' }),
    FriendlyName: z.string().min(1).max(64).optional().openapi(param('only numbers with exactly this friendly name')),
    Beta: bool.optional().openapi(param('accepted for compatibility: no number is beta here')),
    Origin: z.enum(['twilio', 'hosted']).optional().openapi(param('accepted for compatibility: every number here is the service’s own (`twilio`)')),
    PageSize: z.coerce.number().int().min(1).max(1000).default(50).openapi({ type: 'integer', description: 'numbers per page, 1–1000 (default 50)' }),
    Page: z.coerce.number().int().min(0).default(0).openapi({ type: 'integer', description: "the page's number from 0 (with PageToken past the first)" }),
    PageToken: z.string().min(1).max(400).optional().openapi(param('the token of next_page_uri or previous_page_uri, as it came')),
  })
  .strict();
export type IncomingListParams = z.infer<typeof IncomingListParams>;

const settingsFields = {
  FriendlyName: z.string().max(64).optional().openapi(param('a name for the number, at most 64 characters')),
  VoiceUrl: url.optional().openapi({ type: 'string', description: 'the URL called when the number receives a call (empty clears it)' }),
  VoiceMethod: method.optional().openapi({ description: 'GET or POST for VoiceUrl' }),
  VoiceFallbackUrl: url.optional().openapi({ type: 'string', description: 'the URL called when VoiceUrl fails (empty clears it)' }),
  VoiceFallbackMethod: method.optional().openapi({ description: 'GET or POST for VoiceFallbackUrl' }),
  SmsUrl: url.optional().openapi({ type: 'string', description: 'the URL called when the number receives a message (empty clears it)' }),
  SmsMethod: method.optional().openapi({ description: 'GET or POST for SmsUrl' }),
  SmsFallbackUrl: url.optional().openapi({ type: 'string', description: 'the URL called when SmsUrl fails (empty clears it)' }),
  SmsFallbackMethod: method.optional().openapi({ description: 'GET or POST for SmsFallbackUrl' }),
  StatusCallback: url.optional().openapi({ type: 'string', description: 'the URL told of call status changes (empty clears it)' }),
  StatusCallbackMethod: method.optional().openapi({ description: 'GET or POST for StatusCallback' }),
  ApiVersion: z.literal('2010-04-01').optional().openapi(param('only 2010-04-01')),
};

/** The body of a purchase (form-encoded): PhoneNumber or AreaCode, and the settings */
export const PurchaseParams = z
  .object({
    PhoneNumber: z.string().min(1).max(30).optional().openapi(param('the number to buy, E.164 (one AvailablePhoneNumbers answered)')),
    AreaCode: z
      .string()
      .regex(/^\d{3}$/, '3 digits')
      .optional()
      .openapi(param('buy the best available number with this area code instead')),
    ...settingsFields,
  })
  .strict()
  .openapi('TwilioPurchase');
export type PurchaseParams = z.infer<typeof PurchaseParams>;

/** The body of an update (form-encoded): the settings */
export const UpdateParams = z.object(settingsFields).strict().openapi('TwilioNumberUpdate');
export type UpdateParams = z.infer<typeof UpdateParams>;

/** Twilio's setting names → the numbers use case's (undefined: left as it is) */
export function numberUpdate(p: UpdateParams): NumberUpdate {
  return {
    friendlyName: p.FriendlyName === '' ? null : p.FriendlyName,
    voiceUrl: p.VoiceUrl,
    voiceMethod: p.VoiceMethod,
    voiceFallbackUrl: p.VoiceFallbackUrl,
    voiceFallbackMethod: p.VoiceFallbackMethod,
    smsUrl: p.SmsUrl,
    smsMethod: p.SmsMethod,
    smsFallbackUrl: p.SmsFallbackUrl,
    smsFallbackMethod: p.SmsFallbackMethod,
    statusCallback: p.StatusCallback,
    statusCallbackMethod: p.StatusCallbackMethod,
  };
}

// ------------------------------------------------------------ resources

const nullableString = z.string().nullable();

export const AvailablePhoneNumberSchema = z
  .object({
    friendly_name: z.string(),
    phone_number: z.string(),
    lata: nullableString,
    locality: nullableString,
    rate_center: nullableString,
    latitude: nullableString.openapi({ description: 'degrees, as a string (6 decimals); the locality’s point' }),
    longitude: nullableString,
    region: nullableString.openapi({ description: 'the region’s code within its country (`CA`)' }),
    postal_code: nullableString,
    iso_country: nullableString,
    address_requirements: z.enum(['none', 'any', 'local', 'foreign']),
    beta: z.boolean(),
    capabilities: z.object({ voice: z.boolean(), SMS: z.boolean(), MMS: z.boolean(), fax: z.boolean() }).strict(),
  })
  .strict()
  .openapi('TwilioAvailablePhoneNumber');

const coordinate = (v: number | null) => (v === null ? null : v.toFixed(6));

export function availableNumber(f: FoundEndpoint): z.infer<typeof AvailablePhoneNumberSchema> {
  return {
    friendly_name: friendlyNumber(f.address),
    phone_number: f.address,
    lata: f.lata,
    locality: f.locality,
    rate_center: f.rateCenter,
    latitude: coordinate(f.latitude),
    longitude: coordinate(f.longitude),
    region: f.region?.split('-')[1]?.toUpperCase() ?? null,
    postal_code: f.postalCode,
    iso_country: f.country,
    address_requirements: addressRequirementFor(f.addressRequired),
    beta: false,
    capabilities: { voice: f.capabilities.voice, SMS: f.capabilities.sms, MMS: f.capabilities.mms, fax: f.capabilities.fax },
  };
}

/** Twilio's Exclude*AddressRequired: which requirements they leave out */
export function excludedRequirements(p: SearchParams): Set<string> {
  const out = new Set<string>();
  if (p.ExcludeAllAddressRequired) ['any', 'local', 'foreign'].forEach((r) => out.add(r));
  if (p.ExcludeLocalAddressRequired) out.add('local');
  if (p.ExcludeForeignAddressRequired) out.add('foreign');
  return out;
}

const PageMeta = {
  uri: z.string().openapi({ description: 'this page, as asked' }),
  first_page_uri: z.string(),
  next_page_uri: nullableString.openapi({ description: 'the next page; null on the last' }),
  previous_page_uri: nullableString.openapi({ description: 'the page before; null on the first' }),
  page: z.number().int(),
  page_size: z.number().int(),
  start: z.number().int(),
  end: z.number().int(),
};

export const AvailablePageSchema = z
  .object({ available_phone_numbers: z.array(AvailablePhoneNumberSchema), ...PageMeta })
  .strict()
  .openapi('TwilioAvailablePhoneNumberPage');

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

export const CountrySchema = z
  .object({
    country_code: z.string(),
    country: z.string(),
    uri: z.string(),
    beta: z.boolean(),
    subresource_uris: z.object({ local: z.string(), mobile: z.string(), toll_free: z.string() }).strict(),
  })
  .strict()
  .openapi('TwilioAvailablePhoneNumberCountry');
export const CountryListSchema = z
  .object({ countries: z.array(CountrySchema), uri: z.string() })
  .strict()
  .openapi('TwilioAvailablePhoneNumberCountries');

export function countryResource(accountSid: string, code: string): z.infer<typeof CountrySchema> {
  const base = `${API_VERSION_PATH}/Accounts/${accountSid}/AvailablePhoneNumbers/${code}`;
  return {
    country_code: code,
    country: regionNames.of(code) ?? code,
    uri: `${base}.json`,
    beta: false,
    subresource_uris: { local: `${base}/Local.json`, mobile: `${base}/Mobile.json`, toll_free: `${base}/TollFree.json` },
  };
}

export const IncomingPhoneNumberSchema = z
  .object({
    sid: z.string().openapi({ description: 'PN and 32 hex digits: this account’s holding of the number' }),
    account_sid: z.string(),
    phone_number: z.string(),
    friendly_name: z.string(),
    status: z.string().openapi({ description: '`in-use` while allocated; else the lifecycle state in lower case (`reserved`, `testing`, …)' }),
    origin: z.literal('twilio'),
    capabilities: z.object({ voice: z.boolean(), sms: z.boolean(), mms: z.boolean(), fax: z.boolean() }).strict(),
    address_requirements: z.enum(['none', 'any', 'local', 'foreign']),
    beta: z.boolean(),
    api_version: z.literal('2010-04-01'),
    date_created: z.string().openapi({ description: 'RFC 2822: when it entered its current state (its purchase, for a number in use)' }),
    date_updated: z.string().openapi({ description: 'RFC 2822: its last change' }),
    voice_url: nullableString,
    voice_method: z.enum(['GET', 'POST']),
    voice_fallback_url: nullableString,
    voice_fallback_method: z.enum(['GET', 'POST']),
    sms_url: nullableString,
    sms_method: z.enum(['GET', 'POST']),
    sms_fallback_url: nullableString,
    sms_fallback_method: z.enum(['GET', 'POST']),
    status_callback: nullableString,
    status_callback_method: z.enum(['GET', 'POST']),
    voice_application_sid: z.null(),
    sms_application_sid: z.null(),
    address_sid: z.null(),
    identity_sid: z.null(),
    bundle_sid: z.null(),
    trunk_sid: z.null(),
    emergency_status: z.literal('Inactive'),
    emergency_address_sid: z.null(),
    voice_caller_id_lookup: z.boolean(),
    voice_receive_mode: z.literal('voice'),
    uri: z.string(),
  })
  .strict()
  .openapi('TwilioIncomingPhoneNumber');

const methodOr = (m: string | null): 'GET' | 'POST' => (m === 'GET' ? 'GET' : 'POST');

export function incomingNumber(accountSid: string, n: NumberView, addressRequired: boolean): z.infer<typeof IncomingPhoneNumberSchema> {
  const sid = phoneNumberSid(n.endpointId, n.accountId);
  return {
    sid,
    account_sid: accountSid,
    phone_number: n.address,
    friendly_name: n.friendlyName ?? friendlyNumber(n.address),
    status: n.state === 'ALLOCATED' ? 'in-use' : n.state.toLowerCase(),
    origin: 'twilio',
    capabilities: n.capabilities,
    address_requirements: addressRequirementFor(addressRequired),
    beta: false,
    api_version: '2010-04-01',
    date_created: rfc2822(new Date(n.stateChangedAt)),
    date_updated: rfc2822(new Date(n.updatedAt)),
    voice_url: n.voiceUrl,
    voice_method: methodOr(n.voiceMethod),
    voice_fallback_url: n.voiceFallbackUrl,
    voice_fallback_method: methodOr(n.voiceFallbackMethod),
    sms_url: n.smsUrl,
    sms_method: methodOr(n.smsMethod),
    sms_fallback_url: n.smsFallbackUrl,
    sms_fallback_method: methodOr(n.smsFallbackMethod),
    status_callback: n.statusCallback,
    status_callback_method: methodOr(n.statusCallbackMethod),
    voice_application_sid: null,
    sms_application_sid: null,
    address_sid: null,
    identity_sid: null,
    bundle_sid: null,
    trunk_sid: null,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    voice_caller_id_lookup: false,
    voice_receive_mode: 'voice',
    uri: `${API_VERSION_PATH}/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}.json`,
  };
}

export const IncomingPageSchema = z
  .object({ incoming_phone_numbers: z.array(IncomingPhoneNumberSchema), ...PageMeta })
  .strict()
  .openapi('TwilioIncomingPhoneNumberPage');

/** A path with its query (undefined values left out), as Twilio writes page uris. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Twilio's page envelope around `count` items of page `page`. */
export function pageMeta(
  path: string,
  filters: Record<string, string | undefined>,
  p: { page: number; pageSize: number; count: number; next: string | null; previous: string | null; asked: string },
) {
  const at = (page: number, token?: string) => withQuery(path, { ...filters, PageSize: p.pageSize, Page: page, PageToken: token });
  const start = p.page * p.pageSize;
  return {
    uri: p.asked,
    first_page_uri: at(0),
    next_page_uri: p.next ? at(p.page + 1, p.next) : null,
    previous_page_uri: p.previous && p.page > 0 ? at(p.page - 1, p.page - 1 === 0 ? undefined : p.previous) : null,
    page: p.page,
    page_size: p.pageSize,
    start,
    end: p.count ? start + p.count - 1 : start,
  };
}

// ------------------------------------------------------------ errors

export const TwilioErrorSchema = z
  .object({
    code: z.number().int().openapi({ description: "Twilio's error code (20003, 20404, 21421, 21422, 21452, 21502, …; docs/api.md)" }),
    message: z.string().openapi({ description: 'what went wrong, naming the parameter where there is one' }),
    more_info: z.string().openapi({ description: "Twilio's page for the code" }),
    status: z.number().int().openapi({ description: 'the HTTP status' }),
  })
  .strict()
  .openapi('TwilioError');
export type TwilioError = z.infer<typeof TwilioErrorSchema>;

/** the use cases' field names → Twilio's parameter names */
const PARAMETER: Record<string, string> = {
  address: 'PhoneNumber',
  contains: 'Contains',
  startsWith: 'Contains',
  nearNumber: 'NearNumber',
  near: 'NearNumber',
  nearLatLong: 'NearLatLong',
  distanceKm: 'Distance',
  region: 'InRegion',
  locality: 'InLocality',
  postalCode: 'InPostalCode',
  rateCenter: 'InRateCenter',
  lata: 'InLata',
  npa: 'AreaCode',
  'criteria.npa': 'AreaCode',
  criteria: 'AreaCode',
  pageToken: 'PageToken',
  friendlyName: 'FriendlyName',
  sid: 'Sid',
};
/** a bad parameter's Twilio code: an invalid number 21421, an invalid area code 21451, anything else 21502 */
const CODE_OF_PARAMETER: Record<string, number> = { PhoneNumber: 21421, AreaCode: 21451 };

export const twilioError = (status: number, code: number, message: string): TwilioError => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
});

/** Any error a twin route (or the middleware before it) throws, as Twilio answers it; undefined: not one of ours (a 500). */
export function twilioErrorOf(err: unknown, purchase: boolean): TwilioError | undefined {
  const bad = (issues: { field: string; reason: string }[]) => {
    const field = PARAMETER[issues[0]?.field ?? ''] ?? issues[0]?.field ?? '(body)';
    const message = issues.map((i) => `${PARAMETER[i.field] ?? i.field}: ${i.reason}`).join('; ');
    return twilioError(400, CODE_OF_PARAMETER[field] ?? 21502, message);
  };
  if (err instanceof ZodError) {
    return bad(
      err.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ field: k, reason: 'not a parameter this resource takes' }))
          : [{ field: i.path.join('.') || '(body)', reason: i.message }],
      ),
    );
  }
  if (err instanceof BadRequest) return bad(err.issues.length ? err.issues : [{ field: '(body)', reason: err.message }]);
  if (err instanceof DomainError) {
    switch (err.kind) {
      case 'not_found':
        // a purchase of a number the service does not have: not available, as Twilio says it
        return purchase ? twilioError(400, 21422, err.message) : twilioError(404, 20404, `The requested resource was not found: ${err.message}`);
      case 'conflict':
        if (err.code === 'none_available') return twilioError(400, 21452, `No phone numbers found: ${err.message}`);
        return purchase ? twilioError(400, 21422, err.message) : twilioError(409, 21502, err.message);
      case 'forbidden':
        return twilioError(403, /deactivated/.test(err.message) ? 20005 : 20403, err.message);
      case 'unprocessable':
        return twilioError(422, 21502, err.message);
      case 'unavailable':
        return twilioError(503, 20503, err.message);
      default:
        return twilioError(400, 21502, err.message);
    }
  }
  if (err instanceof HttpError) {
    const code = { 401: 20003, 403: 20403, 404: 20404, 405: 20004, 409: 20409, 422: 21502, 429: 20429 }[err.status] ?? 21502;
    return twilioError(err.status, code, err.message);
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.too.large') return twilioError(413, 21502, `the body is larger than the limit`);
  if (e.type === 'entity.parse.failed' || e.type === 'parameters.too.many') return twilioError(400, 21502, e.message ?? 'malformed body');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return twilioError(e.status, 21502, e.message ?? 'bad request');
  return undefined;
}
