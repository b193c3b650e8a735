// Operators' carriers: create, change, list (src/usecases/providers.ts). A
// carrier's webhook secret is written, never read back: shown once, in the
// answer that created it.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import type { Auth } from '../middleware/auth';
import { operationId, shownOnce } from '../middleware/idempotency';
import { addProvider, changeProvider, providers, type ProviderDeps } from '../../usecases/providers';

const KINDS = [
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'UAN',
  'OTHER',
  'SHORT_CODE',
  'SIP',
] as const;
const cents = z.number().int().min(0).max(100_000_000);
const Fields = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['API', 'MANUAL']),
  apiBaseUrl: z.string().url().max(2000).nullable(),
  contactEmail: z.string().email().max(320).nullable(),
  webhookSecret: z.string().min(16, 'at least 16 characters').max(200),
  countries: z.array(z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166 alpha-2 code')).max(300),
  npas: z.array(z.string().regex(/^\d{2,5}$/, '2-5 digits')).max(2000),
  kinds: z.array(z.enum(KINDS)).max(KINDS.length),
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
    if (p.kind === 'API' && !p.apiBaseUrl) ctx.addIssue({ code: 'custom', path: ['apiBaseUrl'], message: 'required for a carrier with an API' });
  })
  .openapi('ProviderInput');
const ProviderPatch = Fields.partial().strict().openapi('ProviderPatch');
const ProviderView = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['API', 'MANUAL']),
    apiBaseUrl: z.string().nullable(),
    contactEmail: z.string().nullable(),
    hasWebhookSecret: z.boolean(),
    countries: z.array(z.string()),
    npas: z.array(z.string()),
    kinds: z.array(z.string()),
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
  .openapi('Provider');
const Id = z.object({ id: z.string().min(1).max(100) });

export function providerRoutes(deps: ProviderDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/providers',
    summary: 'Carriers, with their measured reliability',
    responses: { 200: { description: 'providers', ...json(z.object({ providers: z.array(ProviderView) })) }, 401: error, 403: error },
  });
  router.get('/v1/providers', auth('OPERATOR'), async (_req, res) => {
    res.json({ providers: await providers(deps) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post',
    path: '/v1/providers',
    summary: 'Add a carrier (the webhook secret is shown once, in this answer)',
    request: { body: json(ProviderInput) },
    responses: {
      201: {
        description: 'created; replayed for the same Idempotency-Key with webhookSecret null and notShownAgain saying so',
        ...json(ProviderView.extend({ webhookSecret: z.string().nullable(), notShownAgain: z.record(z.string(), z.string()).optional() })),
      },
      400: error,
      401: error,
      403: error,
      409: error,
    },
  });
  router.post('/v1/providers', auth('OPERATOR'), async (req, res) => {
    const created = await addProvider(deps, ProviderInput.parse(req.body), operationId(req));
    // never kept in the Idempotency-Key's record: a replay has it null and says why
    shownOnce(res, { webhookSecret: `shown once, in the first answer; PATCH /v1/providers/${created.id} with a new webhookSecret to replace it` });
    res.status(201).json(created);
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'patch',
    path: '/v1/providers/{id}',
    summary: 'Change a carrier (coverage, costs, quota, secret, active)',
    request: { params: Id, body: json(ProviderPatch) },
    responses: { 200: { description: 'changed', ...json(ProviderView) }, 400: error, 401: error, 403: error, 404: error },
  });
  router.patch('/v1/providers/:id', auth('OPERATOR'), async (req, res) => {
    const { id } = Id.parse(req.params);
    res.json(await changeProvider(deps, id, ProviderPatch.parse(req.body)));
  });

  return router;
}
