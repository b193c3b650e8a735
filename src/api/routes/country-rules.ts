// The country regulation manager's rules (src/usecases/country-rules.ts):
// per country, and per kind of number within it; listed, read, set, deleted,
// and every change in the country's history. Operator keys only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { KIND_NAMES, Kind, Timestamp, kindName, kindOf } from '../schemas/views';
import { principalOf, type Auth } from '../middleware/auth';
import { actorOf } from '../../domain/access';
import {
  countryRuleHistory,
  deleteCountryRule,
  getCountryRules,
  listCountryRules,
  setCountryRule,
  type CountryRule,
  type CountryRuleDeps,
  type RuleChange,
  type RuleFields,
} from '../../usecases/country-rules';

const seconds = (what: string) =>
  z
    .number()
    .int()
    .min(1)
    .nullable()
    .optional()
    .openapi({ description: `${what}, whole seconds; null or absent: inherited (the country's rule, then the global setting)` });
const RuleInput = z
  .object({
    quarantineSeconds: seconds('how long a delivered number is quarantined before first use (in place of QUARANTINE_NEW)'),
    agingSeconds: seconds('how long a released number ages before reuse (in place of QUARANTINE_AGING)'),
    addressRequired: z.boolean().nullable().optional().openapi({ description: 'an account needs an address on file in the country to be allocated one' }),
    domesticOnly: z
      .boolean()
      .nullable()
      .optional()
      .openapi({ description: 'the number may only be used domestically: a limited endpoint, flagged in search, offered for less' }),
    domesticDiscountPercent: z
      .number()
      .int()
      .min(0)
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: 'a domestic-only number costs this much less, percent' }),
    maxPerAccount: z
      .number()
      .int()
      .min(0)
      .nullable()
      .optional()
      .openapi({ description: "how many of the country's numbers (of this kind, on a kind's rule) one account may hold" }),
    kindsSold: z.array(Kind).nullable().optional().openapi({ description: "the country's rule only: the kinds sold there; null or absent: every kind" }),
    note: z.string().max(500).nullable().optional().openapi({ description: 'where the rule comes from' }),
  })
  .strict()
  .openapi('CountryRuleInput');
const ruleFields = {
  quarantineSeconds: z.number().int().nullable(),
  agingSeconds: z.number().int().nullable(),
  addressRequired: z.boolean().nullable(),
  domesticOnly: z.boolean().nullable(),
  domesticDiscountPercent: z.number().int().nullable(),
  maxPerAccount: z.number().int().nullable(),
  kindsSold: z.array(Kind).nullable(),
  note: z.string().nullable(),
};
const Rule = z
  .object({
    country: z.string().openapi({ description: 'ISO 3166-1 alpha-2' }),
    // not the registered EndpointKind: a $ref loses its null in the document
    kind: z.enum(KIND_NAMES).nullable().openapi({ description: "the kind of number; null: the country's rule for every kind" }),
    version: z.number().int().openapi({ description: 'one more at every change' }),
    ...ruleFields,
    updatedBy: z.string(),
    updatedAt: Timestamp,
  })
  .strict()
  .openapi('CountryRule');
const Fields = z.object(ruleFields).strict().openapi('CountryRuleFields');
const Change = z
  .object({
    country: z.string(),
    kind: z.enum(KIND_NAMES).nullable().openapi({ description: "null: the country's rule for every kind" }),
    version: z.number().int(),
    change: z.enum(['created', 'updated', 'deleted']),
    old: Fields.nullable(),
    new: Fields.nullable(),
    actor: z.string(),
    at: Timestamp,
  })
  .strict()
  .openapi('CountryRuleChange');
const RuleList = z
  .object({ rules: z.array(Rule) })
  .strict()
  .openapi('CountryRuleList');
const Country = z.object({ country: z.string().min(1).max(8).openapi({ description: 'ISO 3166-1 alpha-2 (`US`, `GB`, `DE`)' }) });
const CountryKind = Country.extend({ kind: Kind.openapi({ description: 'the kind of number, lower case (`fixed_line`)' }) });
const ListQuery = z.object({ country: z.string().min(1).max(8).optional().openapi({ description: "only this country's rules" }) }).strict();
const HistoryQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(100).openapi({ description: 'changes, newest first, at most (default 100)' }) })
  .strict();
const NOT_FOUND = { ...error, description: 'no rule there (`not_found`)' };

const lower = (f: RuleFields): z.infer<typeof Fields> => ({
  quarantineSeconds: f.quarantineSeconds,
  agingSeconds: f.agingSeconds,
  addressRequired: f.addressRequired,
  domesticOnly: f.domesticOnly,
  domesticDiscountPercent: f.domesticDiscountPercent,
  maxPerAccount: f.maxPerAccount,
  kindsSold: f.kindsSold?.map(kindName) ?? null,
  note: f.note,
});
const ruleView = (r: CountryRule): z.infer<typeof Rule> => ({
  country: r.country,
  kind: r.kind && kindName(r.kind),
  version: r.version,
  ...lower(r),
  updatedBy: r.updatedBy,
  updatedAt: r.updatedAt.toISOString(),
});
const changeView = (c: RuleChange): z.infer<typeof Change> => ({
  country: c.country,
  kind: c.kind && kindName(c.kind),
  version: c.version,
  change: c.change,
  old: c.old && lower(c.old),
  new: c.new && lower(c.new),
  actor: c.actor,
  at: c.at.toISOString(),
});
const fieldsOf = (input: z.infer<typeof RuleInput>): Partial<RuleFields> => ({ ...input, kindsSold: input.kindsSold?.map(kindOf) ?? null });

export function countryRuleRoutes(deps: CountryRuleDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const path = (p: string) => `/v1/country-rules${p}`;

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'listCountryRules',
    tags: ['regulation'],
    method: 'get',
    path: path(''),
    summary: "Every country rule, by country then kind (the country's rule for every kind first)",
    request: { query: ListQuery },
    responses: { 200: { description: 'the rules', ...json(RuleList) } },
  });
  router.get(path(''), auth('OPERATOR'), async (req, res) => {
    res.json({ rules: (await listCountryRules(deps.db, ListQuery.parse(req.query).country)).map(ruleView) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'getCountryRules',
    tags: ['regulation'],
    method: 'get',
    path: path('/{country}'),
    summary: "A country's rules: for every kind, and per kind",
    request: { params: Country },
    responses: { 200: { description: 'the rules', ...json(RuleList) }, 404: { ...error, description: 'no rules for that country (`not_found`)' } },
  });
  router.get(path('/:country'), auth('OPERATOR'), async (req, res) => {
    res.json({ rules: (await getCountryRules(deps.db, Country.parse(req.params).country)).map(ruleView) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'getCountryRuleHistory',
    tags: ['regulation'],
    method: 'get',
    path: path('/{country}/history'),
    summary: "Every change of a country's rules, newest first: who, when, the old and new fields",
    request: { params: Country, query: HistoryQuery },
    responses: {
      200: {
        description: 'the changes',
        ...json(
          z
            .object({ changes: z.array(Change) })
            .strict()
            .openapi('CountryRuleHistory'),
        ),
      },
    },
  });
  router.get(path('/:country/history'), auth('OPERATOR'), async (req, res) => {
    const { country } = Country.parse(req.params);
    res.json({ changes: (await countryRuleHistory(deps.db, country, HistoryQuery.parse(req.query).limit)).map(changeView) });
  });

  for (const perKind of [false, true]) {
    const params = perKind ? CountryKind : Country;
    const at = perKind ? '/{country}/kinds/{kind}' : '/{country}';
    const route = perKind ? '/:country/kinds/:kind' : '/:country';
    const which = perKind ? "the rule for one kind of number in a country (over the country's rule)" : "a country's rule for every kind";
    registry.registerPath({
      ...secured('OPERATOR'),
      operationId: perKind ? 'setCountryKindRule' : 'setCountryRule',
      tags: ['regulation'],
      method: 'put',
      path: path(at),
      summary: `Set ${which}: the fields given, the rest inherited; applies to transitions from now on, and is recorded in the history`,
      request: { params, body: body(RuleInput) },
      responses: {
        200: { description: 'replaced: the rule (its version one more)', ...json(Rule) },
        201: { description: 'created: the rule (version 1)', ...json(Rule) },
      },
    });
    router.put(path(route), auth('OPERATOR'), async (req, res) => {
      const p = params.parse(req.params) as { country: string; kind?: z.infer<typeof Kind> };
      const input = RuleInput.parse(req.body);
      const { rule, created } = await setCountryRule(
        deps.db,
        { country: p.country, kind: p.kind ? kindOf(p.kind) : null },
        fieldsOf(input),
        actorOf(principalOf(req)),
      );
      res.status(created ? 201 : 200).json(ruleView(rule));
    });

    registry.registerPath({
      ...secured('OPERATOR'),
      operationId: perKind ? 'deleteCountryKindRule' : 'deleteCountryRule',
      tags: ['regulation'],
      method: 'delete',
      path: path(at),
      summary: `Delete ${which} (recorded in the history): what it set is inherited again`,
      request: { params },
      responses: { 200: { description: 'deleted: the rule as it was', ...json(Rule) }, 404: NOT_FOUND },
    });
    router.delete(path(route), auth('OPERATOR'), async (req, res) => {
      const p = params.parse(req.params) as { country: string; kind?: z.infer<typeof Kind> };
      res.json(ruleView(await deleteCountryRule(deps.db, { country: p.country, kind: p.kind ? kindOf(p.kind) : null }, actorOf(principalOf(req)))));
    });
  }
  return router;
}
