// The country regulation manager (the patent's): rules per country (ISO
// 3166-1 alpha-2) and optionally per kind of number. A rule says how long a
// number rests (quarantine before first use, aging after release), whether
// an account needs an address on file in the country, whether the number may
// only be used at home (a limited endpoint, offered for less), how many of
// the country's numbers one account may hold, and which kinds are sold at
// all. A field left null inherits: a kind's rule from the country's rule for
// every kind, that one from the global settings (QUARANTINE_NEW,
// QUARANTINE_AGING) or "no restriction". Pure: the rules are handed in.
import { KINDS } from './classification';
import { BadRequest, RegulationRefused, type FieldIssue, type RegulationCode } from './errors';
import type { EndpointKind } from './numbers';

/** The fields an operator sets; null (or absent) inherits. */
export interface RuleFields {
  quarantineSeconds: number | null;
  agingSeconds: number | null;
  addressRequired: boolean | null;
  domesticOnly: boolean | null;
  /** how much less a domestic-only number costs, percent of its monthly cost */
  domesticDiscountPercent: number | null;
  /** how many of the country's numbers (of this kind, for a kind's rule) one account may hold */
  maxPerAccount: number | null;
  /** the country's rule only: the kinds sold there; null: every kind */
  kindsSold: EndpointKind[] | null;
  /** where the rule comes from */
  note: string | null;
}

export interface CountryRule extends RuleFields {
  country: string;
  /** null: every kind in the country */
  kind: EndpointKind | null;
  version: number;
  updatedBy: string;
  updatedAt: Date;
}

/** What applies to one number: its country's rules merged, with the rule versions that made it. */
export interface EffectiveRule {
  country: string;
  kind: EndpointKind;
  quarantineMs: number | null;
  agingMs: number | null;
  addressRequired: boolean;
  domesticOnly: boolean;
  domesticDiscountPercent: number;
  maxPerAccount: number | null;
  /** counted over the account's numbers of this kind (a kind's rule set the cap) or of the whole country */
  capPerKind: boolean;
  kindSold: boolean;
  /** the rules merged, most specific first: `GB/FIXED_LINE v2`, `GB v1` */
  sources: { country: string; kind: EndpointKind | null; version: number }[];
}

export const RULE_FIELDS = [
  'quarantineSeconds',
  'agingSeconds',
  'addressRequired',
  'domesticOnly',
  'domesticDiscountPercent',
  'maxPerAccount',
  'kindsSold',
  'note',
] as const satisfies readonly (keyof RuleFields)[];

export const EMPTY_RULE: Readonly<RuleFields> = Object.freeze({
  quarantineSeconds: null,
  agingSeconds: null,
  addressRequired: null,
  domesticOnly: null,
  domesticDiscountPercent: null,
  maxPerAccount: null,
  kindsSold: null,
  note: null,
});

/** The longest rest a rule may set: ten years. */
export const MAX_RULE_SECONDS = 3650 * 86_400;

const COUNTRY = /^[A-Z]{2}$/;

/** ISO 3166-1 alpha-2, upper-cased; BadRequest naming `field` otherwise. */
export function countryField(input: string, field = 'country'): string {
  const c = input.trim().toUpperCase();
  if (!COUNTRY.test(c)) throw BadRequest.field(field, 'an ISO 3166-1 alpha-2 country code, e.g. US, GB, DE');
  return c;
}

/** A rule's fields as given (the API's or the CLI's), checked together: every bad one named. */
export function checkRule(kind: EndpointKind | null, fields: Partial<RuleFields>): RuleFields {
  const issues: FieldIssue[] = [];
  const rule: RuleFields = { ...EMPTY_RULE, ...fields };
  for (const f of ['quarantineSeconds', 'agingSeconds'] as const) {
    const v = rule[f];
    if (v !== null && (!Number.isInteger(v) || v < 1 || v > MAX_RULE_SECONDS)) issues.push({ field: f, reason: `whole seconds from 1 to ${MAX_RULE_SECONDS}` });
  }
  const d = rule.domesticDiscountPercent;
  if (d !== null && (!Number.isInteger(d) || d < 0 || d > 100)) issues.push({ field: 'domesticDiscountPercent', reason: 'a whole percent from 0 to 100' });
  const m = rule.maxPerAccount;
  if (m !== null && (!Number.isInteger(m) || m < 0 || m > 1_000_000)) issues.push({ field: 'maxPerAccount', reason: 'a whole number from 0 to 1000000' });
  if (rule.kindsSold !== null) {
    if (kind !== null) issues.push({ field: 'kindsSold', reason: "set on the country's rule for every kind (no kind), not on a kind's rule" });
    const known = new Set(KINDS.map((k) => k.toUpperCase()));
    const bad = rule.kindsSold.filter((k) => !known.has(k));
    if (bad.length) issues.push({ field: 'kindsSold', reason: `unknown kinds ${bad.join(', ')}; kinds are ${KINDS.join(', ')}` });
  }
  if (rule.note !== null && rule.note.length > 500) issues.push({ field: 'note', reason: 'at most 500 characters' });
  if (issues.length) throw new BadRequest(issues.map((i) => `${i.field}: ${i.reason}`).join('; '), issues);
  return rule;
}

/**
 * What applies to a number of `country` and `kind`: the kind's rule over the
 * country's rule for every kind; null when the country has no rule (the
 * global settings apply, nothing is restricted).
 */
export function effectiveRule(rules: readonly CountryRule[], country: string | null, kind: EndpointKind): EffectiveRule | null {
  if (country === null) return null;
  const c = country.trim().toUpperCase();
  const specific = rules.find((r) => r.country === c && r.kind === kind);
  const general = rules.find((r) => r.country === c && r.kind === null);
  if (!specific && !general) return null;
  const pick = <K extends keyof RuleFields>(k: K): RuleFields[K] | null => specific?.[k] ?? general?.[k] ?? null;
  const seconds = (k: 'quarantineSeconds' | 'agingSeconds') => {
    const v = pick(k);
    return v === null ? null : v * 1000;
  };
  const sold = general?.kindsSold ?? null;
  return {
    country: c,
    kind,
    quarantineMs: seconds('quarantineSeconds'),
    agingMs: seconds('agingSeconds'),
    addressRequired: pick('addressRequired') ?? false,
    domesticOnly: pick('domesticOnly') ?? false,
    domesticDiscountPercent: pick('domesticDiscountPercent') ?? 0,
    maxPerAccount: pick('maxPerAccount'),
    capPerKind: specific?.maxPerAccount !== null && specific?.maxPerAccount !== undefined,
    kindSold: sold === null || sold.includes(kind),
    sources: [specific, general].filter((r): r is CountryRule => r !== undefined).map((r) => ({ country: r.country, kind: r.kind, version: r.version })),
  };
}

/**
 * Whether the rules ask an account for an address on file in `country`
 * before it gets a number of `kind` there. (The integrator wires the Twilio
 * twin's `addressRequirementFor(country, kind)` to this.)
 */
export function addressRequiredByRules(rules: readonly CountryRule[], country: string | null, kind: EndpointKind): boolean {
  return effectiveRule(rules, country, kind)?.addressRequired ?? false;
}

/** Whether allocating needs the account's facts at all (an address, a count under a lock). */
export const constrainsAllocation = (e: EffectiveRule | null): e is EffectiveRule =>
  e !== null && (!e.kindSold || e.addressRequired || e.maxPerAccount !== null);

export const REGULATION_CODES: readonly RegulationCode[] = ['kind_not_sold', 'address_required', 'account_cap_reached'];

const label = (s: EffectiveRule['sources'][number]) => `${s.country}${s.kind ? `/${s.kind.toLowerCase()}` : ''} v${s.version}`;

/** Why this account may not take this number (the first rule it does not meet), or null. */
export function regulationRefusal(e: EffectiveRule, facts: { addressOnFile: boolean; held: number }, address: string): RegulationRefused | null {
  const kind = e.kind.toLowerCase();
  const f = { country: e.country, kind, sources: e.sources.map(label) };
  const rules = `country rule ${f.sources.join(' + ')}`;
  if (!e.kindSold) return new RegulationRefused('kind_not_sold', `${address}: ${kind} numbers are not sold in ${e.country} (${rules})`, f);
  if (e.addressRequired && !facts.addressOnFile) {
    return new RegulationRefused(
      'address_required',
      `${address}: ${e.country} requires an address on file in ${e.country} for ${kind} numbers; add one (POST /v1/accounts/{accountId}/addresses) (${rules})`,
      f,
    );
  }
  if (e.maxPerAccount !== null && facts.held >= e.maxPerAccount) {
    return new RegulationRefused(
      'account_cap_reached',
      `${address}: an account may hold at most ${e.maxPerAccount} ${e.capPerKind ? `${kind} ` : ''}numbers in ${e.country}; this one holds ${facts.held} (${rules})`,
      f,
    );
  }
  return null;
}

/** A domestic-only number's monthly price: its cost less the rule's discount (whole cents, rounded down). */
export function offeredPrice(monthlyCostCents: number, e: EffectiveRule | null): number {
  if (!e?.domesticOnly) return monthlyCostCents;
  return Math.floor((monthlyCostCents * (100 - e.domesticDiscountPercent)) / 100);
}

// ------------------------------------------------------------ addresses

export interface PostalAddress {
  country: string;
  customerName: string;
  street: string;
  locality: string;
  region: string | null;
  postalCode: string;
}

/** Postal code formats (the Universal Postal Union's, as countries publish them) for the countries with shipped rules and their neighbours. */
const POSTAL_FORMATS: Readonly<Record<string, { pattern: RegExp; example: string; regionRequired?: boolean }>> = {
  US: { pattern: /^\d{5}(-\d{4})?$/, example: '94103 or 94103-1234', regionRequired: true },
  CA: { pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i, example: 'K1A 0B1', regionRequired: true },
  GB: {
    pattern: /^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$/i,
    example: 'SW1A 1AA',
  },
  DE: { pattern: /^\d{5}$/, example: '10115' },
  FR: { pattern: /^\d{5}$/, example: '75008' },
  NL: { pattern: /^\d{4} ?[A-Z]{2}$/i, example: '1012 AB' },
  AU: { pattern: /^\d{4}$/, example: '2000' },
};

let zipLookup: ((zip: string) => { state: string } | undefined) | undefined;
/** The US ZIP codes shipped in `zipcodes` (the geo data's own package): a well-formed code that names nowhere is refused. */
function usZip(zip: string): { state: string } | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (5 MB of codes)
  zipLookup ??= (require('zipcodes') as { lookup: (z: string) => { state: string } | undefined }).lookup;
  return zipLookup(zip.slice(0, 5));
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/**
 * An address as given, checked for its country: the fields every address
 * needs, the region where the country's addresses carry one, and the postal
 * code's format (a US ZIP must also exist, and lie in the region given).
 * Every bad field is named.
 */
export function checkPostalAddress(input: {
  country: string;
  customerName: string;
  street: string;
  locality: string;
  region?: string | null;
  postalCode: string;
}): PostalAddress {
  const issues: FieldIssue[] = [];
  const country = text(input.country).toUpperCase();
  if (!COUNTRY.test(country)) issues.push({ field: 'country', reason: 'an ISO 3166-1 alpha-2 country code, e.g. US, GB, DE' });
  const a: PostalAddress = {
    country,
    customerName: text(input.customerName),
    street: text(input.street),
    locality: text(input.locality),
    region: text(input.region) || null,
    postalCode: text(input.postalCode).toUpperCase(),
  };
  for (const f of ['customerName', 'street', 'locality', 'postalCode'] as const) if (!a[f]) issues.push({ field: f, reason: 'required' });
  const format = POSTAL_FORMATS[country];
  if (format?.regionRequired && !a.region) issues.push({ field: 'region', reason: `required for ${country} addresses (the state or province)` });
  if (a.postalCode && format && !format.pattern.test(a.postalCode)) {
    issues.push({ field: 'postalCode', reason: `not a ${country} postal code (e.g. ${format.example})` });
  } else if (a.postalCode && country === 'US') {
    const zip = usZip(a.postalCode);
    if (!zip) issues.push({ field: 'postalCode', reason: `no US ZIP code ${a.postalCode.slice(0, 5)}` });
    else if (a.region && zip.state !== a.region.toUpperCase()) {
      issues.push({ field: 'postalCode', reason: `${a.postalCode.slice(0, 5)} is in ${zip.state}, not ${a.region}` });
    }
  } else if (a.postalCode.length > 16) {
    issues.push({ field: 'postalCode', reason: 'at most 16 characters' });
  }
  if (a.region && format?.regionRequired) a.region = a.region.toUpperCase();
  for (const f of ['customerName', 'street', 'locality'] as const) if (a[f].length > 200) issues.push({ field: f, reason: 'at most 200 characters' });
  if (issues.length) throw new BadRequest(issues.map((i) => `${i.field}: ${i.reason}`).join('; '), issues);
  return a;
}
