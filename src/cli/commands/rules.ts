// `ops rules list|show|set|delete|history`: the country regulation manager's
// rules (src/usecases/country-rules.ts), the same use cases as the operator
// API's /v1/country-rules.
import { CliContext, EXIT, usageError } from '../context';
import { DomainError } from '../../domain/errors';
import { KINDS } from '../../domain/classification';
import type { EndpointKind } from '../../domain/numbers';
import { humanSeconds, iso, json, table } from '../format';
import { countryRuleHistory, deleteCountryRule, listCountryRules, setCountryRule, type CountryRule, type RuleFields } from '../../usecases/country-rules';

/** bad input or a rule that is not there: usage (2) */
async function exitCodes(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError && (err.kind === 'invalid' || err.kind === 'not_found')) throw usageError(err.message);
    throw err;
  }
}

/** `fixed_line` → FIXED_LINE; a usage error naming the kinds otherwise */
export function kindArg(text: string | undefined, field = '--kind'): EndpointKind | null {
  if (text === undefined) return null;
  const k = text.trim().toLowerCase();
  if (!(KINDS as readonly string[]).includes(k)) throw usageError(`${field}: ${text} is not a kind; kinds are ${KINDS.join(', ')}`);
  return k.toUpperCase() as EndpointKind;
}

const yes = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');
const rows = (rules: CountryRule[]) =>
  table(
    ['country', 'kind', 'v', 'quarantine', 'aging', 'address', 'domestic', 'discount', 'max/account', 'kinds sold', 'updated by'],
    rules.map((r) => [
      r.country,
      r.kind?.toLowerCase() ?? '(all)',
      r.version,
      r.quarantineSeconds === null ? '' : humanSeconds(r.quarantineSeconds),
      r.agingSeconds === null ? '' : humanSeconds(r.agingSeconds),
      yes(r.addressRequired),
      yes(r.domesticOnly),
      r.domesticDiscountPercent === null ? '' : `${r.domesticDiscountPercent}%`,
      r.maxPerAccount ?? '',
      r.kindsSold?.map((k) => k.toLowerCase()).join(',') ?? '',
      r.updatedBy,
    ]),
  );

export async function rulesListCommand(ctx: CliContext, opts: { country?: string; json?: boolean }): Promise<number> {
  return exitCodes(async () => {
    const rules = await listCountryRules(await ctx.db(), opts.country);
    ctx.out(opts.json ? json(rules) : rules.length ? `${rows(rules)}\n${notes(rules)}` : 'no country rules');
    return EXIT.OK;
  });
}

const notes = (rules: CountryRule[]) =>
  rules
    .filter((r) => r.note)
    .map((r) => `  ${r.country}${r.kind ? `/${r.kind.toLowerCase()}` : ''}: ${r.note}`)
    .join('\n');

export interface SetOptions {
  kind?: string;
  /** seconds, from a duration argument */
  quarantine?: number;
  aging?: number;
  addressRequired?: boolean;
  domesticOnly?: boolean;
  discount?: number;
  maxPerAccount?: number;
  kindsSold?: string;
  note?: string;
  json?: boolean;
}

export async function rulesSetCommand(ctx: CliContext, country: string, opts: SetOptions): Promise<number> {
  return exitCodes(async () => {
    const fields: Partial<RuleFields> = {
      quarantineSeconds: opts.quarantine ?? null,
      agingSeconds: opts.aging ?? null,
      addressRequired: opts.addressRequired ?? null,
      domesticOnly: opts.domesticOnly ?? null,
      domesticDiscountPercent: opts.discount ?? null,
      maxPerAccount: opts.maxPerAccount ?? null,
      kindsSold: opts.kindsSold === undefined ? null : opts.kindsSold.split(',').map((k) => kindArg(k, '--kinds-sold')!),
      note: opts.note ?? null,
    };
    const { rule, created } = await setCountryRule(await ctx.db(), { country, kind: kindArg(opts.kind) }, fields, 'ops');
    ctx.out(
      opts.json
        ? json(rule)
        : `${created ? 'created' : 'replaced'}: ${rule.country}${rule.kind ? `/${rule.kind.toLowerCase()}` : ''} v${rule.version}\n${rows([rule])}`,
    );
    return EXIT.OK;
  });
}

export async function rulesDeleteCommand(ctx: CliContext, country: string, opts: { kind?: string; json?: boolean }): Promise<number> {
  return exitCodes(async () => {
    const rule = await deleteCountryRule(await ctx.db(), { country, kind: kindArg(opts.kind) }, 'ops');
    ctx.out(opts.json ? json(rule) : `deleted: ${rule.country}${rule.kind ? `/${rule.kind.toLowerCase()}` : ''} v${rule.version}`);
    return EXIT.OK;
  });
}

export async function rulesHistoryCommand(ctx: CliContext, country: string, opts: { limit: number; json?: boolean }): Promise<number> {
  return exitCodes(async () => {
    const changes = await countryRuleHistory(await ctx.db(), country, opts.limit);
    if (opts.json) ctx.out(json(changes));
    else {
      const diff = (o: RuleFields | null, n: RuleFields | null) =>
        (Object.keys({ ...o, ...n }) as (keyof RuleFields)[])
          .filter((k) => JSON.stringify(o?.[k] ?? null) !== JSON.stringify(n?.[k] ?? null))
          .map((k) => `${k} ${JSON.stringify(o?.[k] ?? null)} → ${JSON.stringify(n?.[k] ?? null)}`)
          .join('; ');
      ctx.out(
        table(
          ['at', 'kind', 'v', 'change', 'by', 'what'],
          changes.map((c) => [iso(c.at), c.kind?.toLowerCase() ?? '(all)', c.version, c.change, c.actor, diff(c.old, c.new)]),
        ),
      );
    }
    return EXIT.OK;
  });
}
