// Classifier tags of a telephone endpoint (US 9,338,280): an endpoint carries
// tags such as `country:us` or `cap:sms`, and a classification grouping (a
// conjunction of tags) selects the part of the inventory it tracks.
//
// Inherent tags follow from the number alone and are fixed at ingest;
// measured tags follow the endpoint's tests and quarantine, so they are
// recomputed whenever those change. Everything here is pure except loading
// the word list once at module load (so workflow code must not import this
// module: the Temporal sandbox refuses node:fs).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCountryCallingCode, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import type { EndpointKind, ParsedAddress } from './numbers';
import type { Capabilities, Capability, EndpointStateName } from './endpoint';
import { localityTagValue, tzTagValue } from './geo';

// ------------------------------------------------------------ keypad words

/** ITU-T E.161 keypad; 0 and 1 carry no letters. */
const KEYPAD: Readonly<Record<string, string>> = {
  '2': 'abc',
  '3': 'def',
  '4': 'ghi',
  '5': 'jkl',
  '6': 'mno',
  '7': 'pqrs',
  '8': 'tuv',
  '9': 'wxyz',
};
const LETTER_TO_DIGIT: ReadonlyMap<string, string> = new Map(
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- ASCII letters: one code unit each
  Object.entries(KEYPAD).flatMap(([digit, letters]) => [...letters].map((l) => [l, digit] as const)),
);

/** Letters → keypad digits; digits and `*` (a search wildcard) are kept, anything else dropped. */
export function lettersToDigits(text: string): string {
  let out = '';
  for (const ch of text.toLowerCase()) {
    if ((ch >= '0' && ch <= '9') || ch === '*') out += ch;
    else out += LETTER_TO_DIGIT.get(ch) ?? '';
  }
  return out;
}

/** Shorter words match too many numbers by chance to mean anything. */
export const MIN_WORD_LENGTH = 4;
/** The NANP subscriber part (NXX-XXXX) is 7 digits, so no longer word can fit. */
export const MAX_WORD_LENGTH = 7;
const MAX_WORD_TAGS = 3;

function loadWords(): readonly string[] {
  const file = join(__dirname, 'keypad-words.txt');
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const words: string[] = [];
  lines.forEach((line, i) => {
    if (line === '') return;
    // The list ships with the code, so a bad line is a bug: fail at start, not at some lookup.
    if (!/^[a-z]{3,7}$/.test(line)) throw new Error(`${file}:${i + 1}: expected 3-7 lowercase letters, got ${JSON.stringify(line)}`);
    words.push(line);
  });
  return words;
}

/** Every word of the shipped list (3-7 letters; only those of MIN_WORD_LENGTH or more are ever tagged). */
export const KEYPAD_WORDS: readonly string[] = loadWords();

// digits → words spelling them, so a lookup is one Map.get per suffix length.
const WORDS_BY_DIGITS = new Map<string, string[]>();
for (const w of KEYPAD_WORDS) {
  if (w.length < MIN_WORD_LENGTH) continue;
  const digits = lettersToDigits(w);
  const list = WORDS_BY_DIGITS.get(digits);
  if (list) list.push(w);
  else WORDS_BY_DIGITS.set(digits, [w]);
}
for (const list of WORDS_BY_DIGITS.values()) list.sort();
const TAGGABLE_WORDS: ReadonlySet<string> = new Set([...WORDS_BY_DIGITS.values()].flat());

// ------------------------------------------------------------ dimensions

export const DIMENSION_NAMES = ['country', 'region', 'locality', 'tz', 'npa', 'nxx', 'kind', 'vanity', 'word', 'cap', 'quality', 'clean'] as const;
export type Dimension = (typeof DIMENSION_NAMES)[number];

export interface DimensionSpec {
  /** inherent: fixed at ingest from the number; measured: recomputed as tests and quarantine report */
  readonly source: 'inherent' | 'measured';
  /** whether an endpoint can carry several values at once (cap:voice and cap:sms) */
  readonly multiValued: boolean;
  /** the closed set of values, where there is one */
  readonly values?: readonly string[];
  /** null if the value is acceptable, else why not */
  readonly check: (value: string) => string | null;
}

/** every endpoint kind, in lower snake case: the classifier's values and the API's vocabulary */
export const KINDS = [
  'mobile',
  'fixed_line',
  'fixed_line_or_mobile',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'voip',
  'personal_number',
  'uan',
  'other',
  'short_code',
  'sip',
] as const satisfies readonly Lowercase<EndpointKind>[];
// Fails to compile when EndpointKind gains a member KINDS lacks.
const _allKinds: [Exclude<Lowercase<EndpointKind>, (typeof KINDS)[number]>] extends [never] ? true : never = true;

export const VANITY_VALUES = ['repeated', 'sequence', 'round', 'word'] as const;
const CAPABILITIES = ['voice', 'sms', 'mms', 'fax'] as const satisfies readonly Capability[];

function closed(values: readonly string[]): Pick<DimensionSpec, 'values' | 'check'> {
  return { values, check: (v) => (values.includes(v) ? null : `value must be one of ${values.join(', ')}`) };
}

export const DIMENSIONS: Readonly<Record<Dimension, DimensionSpec>> = {
  country: {
    source: 'inherent',
    multiValued: false,
    check: (v) => {
      if (!/^[a-z]{2}$/.test(v)) return 'value must be an ISO 3166 alpha-2 code, e.g. us';
      return isSupportedCountry(v.toUpperCase()) ? null : `unknown country "${v}"`;
    },
  },
  // ISO 3166-2 (us-ca, ca-on), lowercase, as src/domain/geo.ts sets it.
  region: {
    source: 'inherent',
    multiValued: false,
    check: (v) => (/^[a-z]{2}-[a-z0-9]{1,3}$/.test(v) ? null : 'value must be an ISO 3166-2 code, lowercase, e.g. us-ca'),
  },
  // The region (or, without one, the country) then the town: us-ca-san-francisco, gb-london.
  locality: {
    source: 'inherent',
    multiValued: false,
    check: (v) => (/^[a-z]{2}(-[a-z0-9]{1,3})?-[a-z0-9]/.test(v) ? null : 'value must be the region or country then the town, e.g. us-ca-san-francisco'),
  },
  // An IANA time zone, lowercase, `/` as `-`: america-los_angeles.
  tz: {
    source: 'inherent',
    multiValued: false,
    check: (v) => (/^[a-z]+-[a-z0-9_-]+$/.test(v) ? null : 'value must be an IANA zone, e.g. america-los_angeles'),
  },
  // The national destination code: NANP NPAs are 3 digits, elsewhere 2-5 (GB 20, GB mobile 7400).
  npa: { source: 'inherent', multiValued: false, check: (v) => (/^\d{2,5}$/.test(v) ? null : 'value must be 2-5 digits') },
  // NPA and NXX together, because an NXX alone means nothing across NPAs. NANP only.
  nxx: {
    source: 'inherent',
    multiValued: false,
    check: (v) => (/^[2-9]\d\d[2-9]\d\d$/.test(v) ? null : 'value must be 6 digits, NANP npa then nxx, each starting with 2-9'),
  },
  kind: { source: 'inherent', multiValued: false, ...closed(KINDS) },
  vanity: { source: 'inherent', multiValued: true, ...closed(VANITY_VALUES) },
  word: {
    source: 'inherent',
    multiValued: true,
    // Refuse words we never tag, or a grouping on them would silently match nothing.
    check: (v) => {
      if (!/^[a-z]+$/.test(v)) return 'value must be letters';
      if (v.length < MIN_WORD_LENGTH || v.length > MAX_WORD_LENGTH) {
        return `value must be ${MIN_WORD_LENGTH}-${MAX_WORD_LENGTH} letters (no other length is detected)`;
      }
      return TAGGABLE_WORDS.has(v) ? null : `"${v}" is not in the keypad word list`;
    },
  },
  cap: { source: 'measured', multiValued: true, ...closed(CAPABILITIES) },
  quality: { source: 'measured', multiValued: false, ...closed(['high', 'medium', 'low', 'unknown']) },
  clean: { source: 'measured', multiValued: false, ...closed(['clean', 'fair', 'dirty']) },
};

function isDimension(s: string): s is Dimension {
  return (DIMENSION_NAMES as readonly string[]).includes(s);
}

// ------------------------------------------------------------ tags

export class TagError extends Error {
  readonly tag: string;
  readonly reason: string;

  constructor(tag: string, reason: string) {
    super(`invalid tag ${JSON.stringify(tag)}: ${reason}`);
    this.name = 'TagError';
    this.tag = tag;
    this.reason = reason;
  }
}

const VALUE_RE = /^[a-z0-9][a-z0-9_-]*$/;

/** Strict: the tag must already be lowercase (normaliseTags lowercases first). */
export function parseTag(tag: string): { dimension: Dimension; value: string } {
  const colon = tag.indexOf(':');
  if (colon < 0) throw new TagError(tag, 'expected dimension:value');
  if (tag !== tag.toLowerCase()) throw new TagError(tag, 'tags are lowercase');
  const dimension = tag.slice(0, colon);
  const value = tag.slice(colon + 1);
  if (!isDimension(dimension)) {
    throw new TagError(tag, `unknown dimension ${JSON.stringify(dimension)} (one of ${DIMENSION_NAMES.join(', ')})`);
  }
  if (value === '') throw new TagError(tag, `${dimension}: value is empty`);
  if (!VALUE_RE.test(value)) {
    throw new TagError(tag, `${dimension}: value must be letters, digits, _ and -, starting with a letter or digit`);
  }
  const problem = DIMENSIONS[dimension].check(value);
  if (problem !== null) throw new TagError(tag, `${dimension}: ${problem}`);
  return { dimension, value };
}

/** One spelling per set of tags, so stored tag arrays compare and index cleanly. */
export function normaliseTags(tags: string[]): string[] {
  const out = new Set<string>();
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    parseTag(tag);
    out.add(tag);
  }
  return [...out].sort();
}

export const MAX_GROUPING_TAGS = 8;

/**
 * A grouping is a conjunction of tags; refuse one that can never match
 * anything, since it would track an empty inventory forever without anyone
 * noticing. Only true contradictions are refused, not merely unlikely ones.
 */
export function validateGrouping(tags: string[]): { ok: true; tags: string[] } | { ok: false; reason: string } {
  let normal: string[];
  try {
    normal = normaliseTags(tags);
  } catch (e) {
    if (e instanceof TagError) return { ok: false, reason: e.message };
    throw e;
  }
  if (normal.length === 0) return { ok: false, reason: 'a grouping needs at least one tag' };
  if (normal.length > MAX_GROUPING_TAGS) {
    return { ok: false, reason: `a grouping has at most ${MAX_GROUPING_TAGS} tags, got ${normal.length}` };
  }

  const single = new Map<Dimension, string>();
  const present = new Set<Dimension>();
  for (const { dimension, value } of normal.map(parseTag)) {
    present.add(dimension);
    if (DIMENSIONS[dimension].multiValued) continue;
    const prior = single.get(dimension);
    if (prior !== undefined) {
      return {
        ok: false,
        reason: `${dimension}:${prior} and ${dimension}:${value} can never both match: an endpoint has one ${dimension}`,
      };
    }
    single.set(dimension, value);
  }

  const npa = single.get('npa');
  const nxx = single.get('nxx');
  const country = single.get('country');
  const kind = single.get('kind');
  // An nxx value is NPA+NXX, and a NANP npa is exactly its first 3 digits.
  if (nxx !== undefined && npa !== undefined && nxx.slice(0, 3) !== npa) {
    return { ok: false, reason: `nxx:${nxx} contradicts npa:${npa}: an nxx value starts with its 3-digit npa` };
  }
  if (nxx !== undefined && country !== undefined && getCountryCallingCode(country.toUpperCase() as CountryCode) !== '1') {
    return { ok: false, reason: `nxx:${nxx} contradicts country:${country}: only NANP (+1) numbers have an nxx` };
  }
  // What parseAddress never produces for these kinds (see inherentTags).
  const absent: Partial<Record<string, readonly Dimension[]>> = {
    sip: ['country', 'region', 'locality', 'tz', 'npa', 'nxx', 'vanity', 'word'],
    short_code: ['npa', 'nxx'],
  };
  const clash = kind === undefined ? undefined : absent[kind]?.find((d) => present.has(d));
  if (clash !== undefined) {
    return { ok: false, reason: `kind:${kind} contradicts ${clash}: a ${kind} endpoint has no ${clash}` };
  }
  return { ok: true, tags: normal };
}

/** Grouping membership: every grouping tag is among the endpoint's (both normalised). */
export function matches(endpointTags: string[], groupingTags: string[]): boolean {
  const have = new Set(endpointTags);
  return groupingTags.every((t) => have.has(t));
}

// ------------------------------------------------------------ inherent tags

/** Where the number is, as far as tags go (a src/domain/geo.ts Place fits). */
export interface PlaceTags {
  region?: string | null;
  locality?: string | null;
  timeZone?: string | null;
}

/**
 * Tags fixed by the number. Its place (`region`, `locality`, `tz`) comes
 * from the place data (src/domain/geo.ts placeOf), which the caller looks
 * up and passes; it is only meaningful within a country, so it is dropped
 * for endpoints without one. Throws TagError if a place is not a valid tag value.
 */
export function inherentTags(p: ParsedAddress, place: PlaceTags = {}): string[] {
  const tags = [`kind:${p.kind.toLowerCase()}`];
  if (p.country !== null) {
    tags.push(`country:${p.country.toLowerCase()}`);
    if (place.region) tags.push(`region:${place.region}`);
    if (place.locality) tags.push(`locality:${localityTagValue(p.country, place.region ?? null, place.locality)}`);
    if (place.timeZone) tags.push(`tz:${tzTagValue(place.timeZone)}`);
  }
  // Some NDCs are a single digit (FR 1, FR 6): they fall outside the npa grammar and get no tag.
  if (p.npa !== null && /^\d{2,5}$/.test(p.npa)) tags.push(`npa:${p.npa}`);
  // parseAddress fills nxx only for country calling code +1.
  const nanp = p.npa !== null && p.nxx !== null;
  if (nanp) tags.push(`nxx:${p.npa}${p.nxx}`);
  tags.push(...vanityTags(p.digits, { nanp }));
  return normaliseTags(tags);
}

/**
 * Memorable-number tags. Only the subscriber part counts, since that is what
 * a customer chooses within an area: the last 7 digits for NANP (NXX-XXXX),
 * else the last 6 (all digits if fewer). Fewer than 4 digits: no tags.
 *
 * - repeated: the last 4 digits are one digit (7777), or the subscriber part
 *   has a run of 5 or more of one digit (555-5512).
 * - sequence: the last 4 digits step by +1 or by -1 (1234, 0123, 9876);
 *   no wrap-around, so 7890 and 8901 are not sequences.
 * - round: the last 4 digits end in 00 (5000, 1200, 0100, 0000), i.e. X000 or XY00.
 * - word: a listed word of 4-7 letters spells, on the E.161 keypad, a suffix
 *   of the subscriber part (800-FLOWERS, 555-CASH); with `word:<w>` for at most
 *   3 such words, longest first, then alphabetical.
 *
 * `nanp` defaults to "10 digits", but callers with a parsed address should
 * pass it: national numbers elsewhere can be 10 digits too (GB 20 7946 0958).
 */
export function vanityTags(digits: string, opts: { nanp?: boolean } = {}): string[] {
  if (!/^\d+$/.test(digits)) return [];
  const nanp = opts.nanp ?? digits.length === 10;
  const subscriber = digits.slice(-(nanp ? 7 : 6));
  if (subscriber.length < 4) return [];
  const last4 = subscriber.slice(-4);
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- ASCII digits: one code unit each
  const d = [...last4].map(Number);
  const steps = d.slice(1).map((x, i) => x - d[i]!);

  const tags: string[] = [];
  if (/^(\d)\1{3}$/.test(last4) || /(\d)\1{4,}/.test(subscriber)) tags.push('vanity:repeated');
  if (steps.every((s) => s === 1) || steps.every((s) => s === -1)) tags.push('vanity:sequence');
  if (last4.endsWith('00')) tags.push('vanity:round');

  const words: string[] = [];
  for (let len = Math.min(MAX_WORD_LENGTH, subscriber.length); len >= MIN_WORD_LENGTH; len--) {
    words.push(...(WORDS_BY_DIGITS.get(subscriber.slice(-len)) ?? []));
  }
  if (words.length > 0) {
    tags.push('vanity:word', ...words.slice(0, MAX_WORD_TAGS).map((w) => `word:${w}`));
  }
  return tags;
}

// ------------------------------------------------------------ measured tags

export interface Measurements {
  enabled: Capabilities;
  /** latest quality score, 0..1; null before the first quality report */
  qualityScore: number | null;
  voiceCleanliness: number;
  messagingCleanliness: number;
}

/** Lower bounds (inclusive) of the quality bands; below medium is low. */
export const QUALITY_BANDS = { high: 0.8, medium: 0.5 } as const;
/**
 * Lower bounds (inclusive) of the cleanliness bands; below fair is dirty.
 * Independent of LifecyclePolicy.cleanThreshold, which decides quarantine;
 * these only describe the inventory.
 */
export const CLEANLINESS_BANDS = { clean: 0.8, fair: 0.5 } as const;

export function measuredTags(m: Measurements): string[] {
  const tags = CAPABILITIES.filter((c) => m.enabled[c]).map((c) => `cap:${c}`);

  const q = m.qualityScore;
  const quality = q === null || Number.isNaN(q) ? 'unknown' : q >= QUALITY_BANDS.high ? 'high' : q >= QUALITY_BANDS.medium ? 'medium' : 'low';
  tags.push(`quality:${quality}`);

  // The worse medium decides: a number with a dirty messaging history is a
  // risk to whoever gets it, however clean its voice side. NaN lands in dirty.
  const c = Math.min(m.voiceCleanliness, m.messagingCleanliness);
  const clean = c >= CLEANLINESS_BANDS.clean ? 'clean' : c >= CLEANLINESS_BANDS.fair ? 'fair' : 'dirty';
  tags.push(`clean:${clean}`);
  return tags;
}

/** What a row holds that its tags are computed from. */
export interface TaggedRow {
  state: EndpointStateName;
  classifierTags: string[];
  voiceCapable: boolean;
  smsCapable: boolean;
  mmsCapable: boolean;
  faxCapable: boolean;
  voiceEnabled: boolean;
  smsEnabled: boolean;
  mmsEnabled: boolean;
  faxEnabled: boolean;
  qualityScore: number | null;
  voiceCleanliness: number;
  messagingCleanliness: number;
}

/** Measurements a change may bring; what it leaves out stays as the row has it. */
export interface MeasuredChange {
  enabled?: Capabilities;
  qualityScore?: number | null;
  voiceCleanliness?: number;
  messagingCleanliness?: number;
}

/** On its way to the shelf: not offered yet, but counted for what it should become. */
const PIPELINE: readonly EndpointStateName[] = ['ORDERED', 'QUARANTINE', 'AGING', 'TESTING', 'PORTING_IN'];

const MEASURED_DIMENSIONS = new Set(
  Object.entries<DimensionSpec>(DIMENSIONS)
    .filter(([, d]) => d.source === 'measured')
    .map(([k]) => k),
);

/**
 * Inherent tags stay; measured ones (cap, quality, clean) follow the new
 * values. A number in the pipeline carries the capabilities it is expected to
 * have (what its carrier says it can do), so a grouping like `cap:sms` counts
 * it as on its way; testing then replaces them with what passed.
 */
export function withMeasuredTags(row: TaggedRow, p: MeasuredChange = {}, state: EndpointStateName = row.state): string[] {
  const inherent = row.classifierTags.filter((t) => !MEASURED_DIMENSIONS.has(t.slice(0, t.indexOf(':'))));
  const expected = { voice: row.voiceCapable, sms: row.smsCapable, mms: row.mmsCapable, fax: row.faxCapable };
  const measured = measuredTags({
    enabled: PIPELINE.includes(state) ? expected : (p.enabled ?? { voice: row.voiceEnabled, sms: row.smsEnabled, mms: row.mmsEnabled, fax: row.faxEnabled }),
    qualityScore: p.qualityScore !== undefined ? p.qualityScore : row.qualityScore,
    voiceCleanliness: p.voiceCleanliness ?? row.voiceCleanliness,
    messagingCleanliness: p.messagingCleanliness ?? row.messagingCleanliness,
  });
  return [...new Set([...inherent, ...measured])].sort();
}

/** Every tag of an endpoint, normalised. */
export function classify(p: ParsedAddress, m: Measurements, place: PlaceTags = {}): string[] {
  return normaliseTags([...inherentTags(p, place), ...measuredTags(m)]);
}
