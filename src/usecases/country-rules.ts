// The country regulation manager's rules, for operators (the API's
// /v1/country-rules and `ops rules`): listed, read, set (created or replaced,
// version one more) and deleted, every change kept with who, when, the old
// and the new fields. A change applies to the transitions made after it: the
// allocations it judges, the agings it times (src/domain/regulation.ts).
import type { Db } from '../db/client';
import { deleteRule, findRule, listRules, ruleHistory, setRule, type RuleChange } from '../db/country-rules';
import { NotFound } from '../domain/errors';
import type { EndpointKind } from '../domain/numbers';
import { addressRequiredByRules, checkRule, countryField, type CountryRule, type RuleFields } from '../domain/regulation';

/** what the routes hand in */
export interface CountryRuleDeps {
  db: Db;
}

export type { CountryRule, RuleChange, RuleFields };

export interface RuleKey {
  country: string;
  /** null: the country's rule for every kind */
  kind: EndpointKind | null;
}

const named = (k: RuleKey) => `${k.country}${k.kind ? ` ${k.kind.toLowerCase()}` : ''}`;

export async function listCountryRules(db: Db, country?: string): Promise<CountryRule[]> {
  return listRules(db, country === undefined ? undefined : countryField(country));
}

export async function getCountryRules(db: Db, country: string): Promise<CountryRule[]> {
  const c = countryField(country);
  const rules = await listRules(db, c);
  if (!rules.length) throw new NotFound(`country: no rules for ${c}`);
  return rules;
}

/** Sets the rule for a country (and kind): the fields given, the rest null (inherit). */
export async function setCountryRule(db: Db, key: RuleKey, fields: Partial<RuleFields>, actor: string): Promise<{ rule: CountryRule; created: boolean }> {
  const country = countryField(key.country);
  return setRule(db, { country, kind: key.kind, fields: checkRule(key.kind, fields), actor });
}

export async function deleteCountryRule(db: Db, key: RuleKey, actor: string): Promise<CountryRule> {
  const country = countryField(key.country);
  const rule = await findRule(db, country, key.kind);
  if (!rule || !(await deleteRule(db, { country, kind: key.kind, actor }))) throw new NotFound(`country: no rule for ${named({ ...key, country })}`);
  return rule;
}

export async function countryRuleHistory(db: Db, country: string, limit = 100): Promise<RuleChange[]> {
  return ruleHistory(db, countryField(country), limit);
}

/**
 * Whether an account needs an address on file in `country` before it gets a
 * number of `kind` there, by the rules as they are now — for callers that
 * decide before allocating (the Twilio-compatible API's address requirement).
 */
export async function addressRequirement(db: Db, country: string, kind: EndpointKind): Promise<boolean> {
  const c = country.trim().toUpperCase();
  return addressRequiredByRules(await listRules(db, c), c, kind);
}
