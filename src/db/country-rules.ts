// The one writer of `country_rules` and `country_rule_history`: a rule is
// set (created or replaced, its version one more) or deleted, and the same
// transaction keeps the change in the history with who made it and the old
// and new fields. Reads for the rest of the system (the rules of a country,
// of an endpoint) are here too.
import { Prisma } from './generated/client';
import type { Db } from './client';
import type { EndpointKind } from '../domain/numbers';
import { RULE_FIELDS, type CountryRule, type RuleFields } from '../domain/regulation';

const SELECT = Prisma.sql`
  SELECT country, kind::text AS kind, version, quarantine_seconds AS "quarantineSeconds", aging_seconds AS "agingSeconds",
         address_required AS "addressRequired", domestic_only AS "domesticOnly", domestic_discount_percent AS "domesticDiscountPercent",
         max_per_account AS "maxPerAccount", kinds_sold AS "kindsSold", note, updated_by AS "updatedBy", updated_at AS "updatedAt"
    FROM country_rules`;

type Row = Omit<CountryRule, 'kind' | 'kindsSold'> & { kind: string | null; kindsSold: string[] | null };
const rule = (r: Row): CountryRule => ({ ...r, kind: r.kind as EndpointKind | null, kindsSold: r.kindsSold as EndpointKind[] | null });

const fieldsOf = (r: RuleFields | CountryRule): RuleFields => Object.fromEntries(RULE_FIELDS.map((k) => [k, r[k]])) as unknown as RuleFields;

/** Every rule (a small table), by country then kind (the country's own rule first). */
export async function listRules(db: Db, country?: string): Promise<CountryRule[]> {
  const rows = await db.$queryRaw<Row[]>`${SELECT} WHERE ${country ?? null}::text IS NULL OR country = ${country ?? null} ORDER BY country, kind NULLS FIRST`;
  return rows.map(rule);
}

export async function findRule(db: Db, country: string, kind: EndpointKind | null): Promise<CountryRule | undefined> {
  const [row] = await db.$queryRaw<Row[]>`${SELECT} WHERE country = ${country} AND kind IS NOT DISTINCT FROM ${kind}::"EndpointKind"`;
  return row && rule(row);
}

/** The rules that may apply to an endpoint (its country's, for every kind and for its kind), with its country and kind. */
export async function rulesForEndpoint(
  db: Db | Prisma.TransactionClient,
  endpointId: string,
): Promise<{ country: string | null; kind: EndpointKind; rules: CountryRule[] } | undefined> {
  // one round trip: every allocation makes it
  const rows = await db.$queryRaw<(Row & { endpointCountry: string | null; endpointKind: string; id: string | null })[]>`
    SELECT trim(e.country) AS "endpointCountry", e.kind::text AS "endpointKind", r.id::text AS id,
           r.country, r.kind::text AS kind, r.version, r.quarantine_seconds AS "quarantineSeconds", r.aging_seconds AS "agingSeconds",
           r.address_required AS "addressRequired", r.domestic_only AS "domesticOnly", r.domestic_discount_percent AS "domesticDiscountPercent",
           r.max_per_account AS "maxPerAccount", r.kinds_sold AS "kindsSold", r.note, r.updated_by AS "updatedBy", r.updated_at AS "updatedAt"
      FROM endpoints e
      LEFT JOIN country_rules r ON r.country = trim(e.country) AND (r.kind IS NULL OR r.kind = e.kind)
     WHERE e.id = ${endpointId}::uuid`;
  const first = rows[0];
  if (!first) return undefined;
  const rules = rows.filter((r) => r.id !== null).map(({ endpointCountry: _c, endpointKind: _k, id: _i, ...r }) => rule(r));
  return { country: first.endpointCountry, kind: first.endpointKind as EndpointKind, rules };
}

/** Creates or replaces the rule for country and kind (its version one more), recording the change. */
export async function setRule(
  db: Db,
  input: { country: string; kind: EndpointKind | null; fields: RuleFields; actor: string },
): Promise<{ rule: CountryRule; created: boolean }> {
  return db.$transaction(async (tx) => {
    // one change of a country's rules at a time: versions and history stay in order
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`country-rule:${input.country}`}))`;
    const [before] = await tx.$queryRaw<Row[]>`${SELECT} WHERE country = ${input.country} AND kind IS NOT DISTINCT FROM ${input.kind}::"EndpointKind"`;
    const f = input.fields;
    const values = Prisma.sql`${f.quarantineSeconds}::int, ${f.agingSeconds}::int, ${f.addressRequired}::boolean, ${f.domesticOnly}::boolean,
      ${f.domesticDiscountPercent}::int, ${f.maxPerAccount}::int, ${f.kindsSold}::text[], ${f.note}::text`;
    if (before) {
      await tx.$executeRaw`
        UPDATE country_rules SET (quarantine_seconds, aging_seconds, address_required, domestic_only, domestic_discount_percent,
                                  max_per_account, kinds_sold, note) = (${values}),
               version = version + 1, updated_by = ${input.actor}, updated_at = now()
         WHERE country = ${input.country} AND kind IS NOT DISTINCT FROM ${input.kind}::"EndpointKind"`;
    } else {
      await tx.$executeRaw`
        INSERT INTO country_rules (country, kind, quarantine_seconds, aging_seconds, address_required, domestic_only, domestic_discount_percent,
                                   max_per_account, kinds_sold, note, updated_by)
        VALUES (${input.country}, ${input.kind}::"EndpointKind", ${values}, ${input.actor})`;
    }
    const [after] = await tx.$queryRaw<Row[]>`${SELECT} WHERE country = ${input.country} AND kind IS NOT DISTINCT FROM ${input.kind}::"EndpointKind"`;
    const now = rule(after!);
    await tx.$executeRaw`
      INSERT INTO country_rule_history (country, kind, version, change, old, new, actor)
      VALUES (${input.country}, ${input.kind}::"EndpointKind", ${now.version}, ${before ? 'updated' : 'created'},
              ${before ? JSON.stringify(fieldsOf(rule(before))) : null}::jsonb, ${JSON.stringify(fieldsOf(now))}::jsonb, ${input.actor})`;
    return { rule: now, created: !before };
  });
}

/** Deletes the rule for country and kind, recording it; false when there was none. */
export async function deleteRule(db: Db, input: { country: string; kind: EndpointKind | null; actor: string }): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`country-rule:${input.country}`}))`;
    const [gone] = await tx.$queryRaw<Row[]>`
      DELETE FROM country_rules WHERE country = ${input.country} AND kind IS NOT DISTINCT FROM ${input.kind}::"EndpointKind"
      RETURNING country, kind::text AS kind, version, quarantine_seconds AS "quarantineSeconds", aging_seconds AS "agingSeconds",
                address_required AS "addressRequired", domestic_only AS "domesticOnly", domestic_discount_percent AS "domesticDiscountPercent",
                max_per_account AS "maxPerAccount", kinds_sold AS "kindsSold", note, updated_by AS "updatedBy", updated_at AS "updatedAt"`;
    if (!gone) return false;
    await tx.$executeRaw`
      INSERT INTO country_rule_history (country, kind, version, change, old, new, actor)
      VALUES (${input.country}, ${input.kind}::"EndpointKind", ${gone.version}, 'deleted', ${JSON.stringify(fieldsOf(rule(gone)))}::jsonb, NULL, ${input.actor})`;
    return true;
  });
}

export interface RuleChange {
  country: string;
  kind: EndpointKind | null;
  version: number;
  change: 'created' | 'updated' | 'deleted';
  old: RuleFields | null;
  new: RuleFields | null;
  actor: string;
  at: Date;
}

/** A country's rule changes, newest first. */
export async function ruleHistory(db: Db, country: string, limit: number): Promise<RuleChange[]> {
  return db.$queryRaw<RuleChange[]>`
    SELECT country, kind::text AS kind, version, change, old, new, actor, at
      FROM country_rule_history WHERE country = ${country} ORDER BY at DESC, id DESC LIMIT ${limit}`;
}
