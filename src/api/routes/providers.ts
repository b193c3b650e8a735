// Operators' carriers: create, change, list (src/usecases/providers.ts). A
// carrier's webhook secret is written, never read back: shown once, in the
// answer that created it.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import type { Auth } from '../middleware/auth';
import { operationId, shownOnce } from '../middleware/idempotency';
import { addProvider, changeProvider, providers, type ProviderDeps, type ProviderView as Provider } from '../../usecases/providers';
import { KIND_NAMES, Kind, kindName, kindOf, type KindName } from '../schemas/views';

const cents = z.number().int().min(0).max(100_000_000);
const Fields = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['api', 'manual']).openapi({ description: '`api`: a carrier with a numbers API; `manual`: an operator sends it forms' }),
  apiBaseUrl: z.string().url().max(2000).nullable(),
  contactEmail: z.string().email().max(320).nullable(),
  webhookSecret: z.string().min(16, 'at least 16 characters').max(200),
  countries: z.array(z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166 alpha-2 code')).max(300),
  npas: z.array(z.string().regex(/^\d{2,5}$/, '2-5 digits')).max(2000),
  kinds: z.array(Kind).max(KIND_NAMES.length).openapi({ description: 'endpoint kinds it supplies (lower snake case); empty: any' }),
  costPerNumberCents: cents,
  monthlyCostCents: cents,
  quotaNumbers: z.number().int().min(0).max(100_000_000).nullable(),
  quotaPeriodDays: z.number().int().min(1).max(3650),
  active: z.boolean(),
});
const ProviderInput = Fields.partial()
  .required({ name: true, kind: true })
  .extend({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and -, 2-63 characters') })
  .strict()
  .superRefine((p, ctx) => {
    if (p.kind === 'api' && !p.apiBaseUrl) ctx.addIssue({ code: 'custom', path: ['apiBaseUrl'], message: 'required for a carrier with an API' });
  })
  .openapi('ProviderInput');
const ProviderPatch = Fields.partial().strict().openapi('ProviderPatch');
const ProviderView = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['api', 'manual']),
    apiBaseUrl: z.string().nullable(),
    contactEmail: z.string().nullable(),
    hasWebhookSecret: z.boolean(),
    countries: z.array(z.string()),
    npas: z.array(z.string()),
    kinds: z.array(Kind),
    costPerNumberCents: z.number(),
    monthlyCostCents: z.number(),
    reliabilityScore: z.number(),
    fillRate: z.number(),
    meanLeadTimeSeconds: z.number().nullable(),
    mismatchRate: z.number(),
    failureRate: z.number(),
    quotaNumbers: z.number().nullable(),
    quotaPeriodDays: z.number(),
    active: z.boolean(),
  })
  .strict()
  .openapi('Provider');
const Id = z.object({ id: z.string().min(1).max(100).openapi({ description: "the provider's id (`a-z0-9-`)" }) });

/** the API's words (lower case kinds) → the domain's */
function domainFields<T extends { kind?: 'api' | 'manual'; kinds?: KindName[] }>(p: T) {
  return { ...p, kind: p.kind && (p.kind.toUpperCase() as 'API' | 'MANUAL'), kinds: p.kinds?.map(kindOf) };
}
/** the domain's words → the API's */
function providerView<T extends Provider>(p: T) {
  return { ...p, kind: p.kind.toLowerCase() as 'api' | 'manual', kinds: p.kinds.map(kindName) };
}

export function providerRoutes(deps: ProviderDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/providers',
    operationId: 'listProviders',
    tags: ['carriers'],
    summary: 'Carriers, with their measured reliability',
    responses: { 200: { description: 'providers', ...json(z.object({ providers: z.array(ProviderView) }).strict()) } },
  });
  router.get('/v1/providers', auth('OPERATOR'), async (_req, res) => {
    res.json({ providers: (await providers(deps)).map(providerView) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post',
    path: '/v1/providers',
    operationId: 'createProvider',
    tags: ['carriers'],
    summary: 'Add a carrier (the webhook secret is shown once, in this answer)',
    request: { body: body(ProviderInput) },
    responses: {
      201: {
        description: 'created; replayed for the same Idempotency-Key with webhookSecret null and notShownAgain saying so',
        ...json(ProviderView.extend({ webhookSecret: z.string().nullable(), notShownAgain: z.record(z.string(), z.string()).optional() }).strict()),
      },
      409: { ...error, description: 'a provider with this id exists (`conflict`), or the same Idempotency-Key still runs' },
    },
  });
  router.post('/v1/providers', auth('OPERATOR'), async (req, res) => {
    const created = await addProvider(deps, domainFields(ProviderInput.parse(req.body)), operationId(req));
    // never kept in the Idempotency-Key's record: a replay has it null and says why
    shownOnce(res, { webhookSecret: `shown once, in the first answer; PATCH /v1/providers/${created.id} with a new webhookSecret to replace it` });
    res.status(201).json(providerView(created));
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'patch',
    path: '/v1/providers/{id}',
    operationId: 'updateProvider',
    tags: ['carriers'],
    summary: 'Change a carrier (coverage, costs, quota, secret, active)',
    request: { params: Id, body: body(ProviderPatch) },
    responses: { 200: { description: 'changed', ...json(ProviderView) }, 404: { ...error, description: 'no such provider (`not_found`)' } },
  });
  router.patch('/v1/providers/:id', auth('OPERATOR'), async (req, res) => {
    const { id } = Id.parse(req.params);
    res.json(providerView(await changeProvider(deps, id, domainFields(ProviderPatch.parse(req.body)))));
  });

  return router;
}
