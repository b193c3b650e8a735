// An account's numbers (src/usecases/numbers.ts): listed (keyset-paged,
// filtered), fetched, their settings changed, released by DELETE. Platform
// keys, for their own accounts only: another account's number is a 404.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import type { HoldingDeps } from '../../usecases/allocate';
import { fetchNumber, listNumbers, releaseNumber, updateNumber } from '../../usecases/numbers';

const HELD_STATES = ['ALLOCATED', 'RESERVED', 'TESTING', 'PORTING_IN', 'PORTING_OUT'] as const;

/** an http(s) URL a platform calls back */
const callbackUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'an absolute http(s) URL')
  .nullable();
const method = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(['GET', 'POST'], { message: 'GET or POST' }))
  .nullable()
  .openapi({ type: 'string', enum: ['GET', 'POST'] });

const NumberUpdate = z
  .object({
    friendlyName: z.string().max(64).nullable(),
    applicationUri: z
      .string()
      .max(2000)
      .regex(/^(https?|sip):\S+$/, 'an http(s) or sip URI')
      .nullable()
      .openapi({ description: 'where the call router sends its traffic (allocated numbers only)' }),
    voiceUrl: callbackUrl,
    voiceMethod: method,
    voiceFallbackUrl: callbackUrl,
    voiceFallbackMethod: method,
    smsUrl: callbackUrl,
    smsMethod: method,
    smsFallbackUrl: callbackUrl,
    smsFallbackMethod: method,
    statusCallback: callbackUrl,
    statusCallbackMethod: method,
  })
  .partial()
  .strict()
  .openapi('NumberUpdate');
const url = z.string().nullable();
export const NumberSchema = z
  .object({
    address: z.string(),
    accountId: z.string(),
    state: z.string(),
    kind: z.string(),
    country: z.string().nullable(),
    npa: z.string().nullable(),
    capabilities: z.object({ voice: z.boolean(), sms: z.boolean(), mms: z.boolean(), fax: z.boolean() }),
    friendlyName: z.string().nullable(),
    applicationUri: url,
    voiceUrl: url,
    voiceMethod: url,
    voiceFallbackUrl: url,
    voiceFallbackMethod: url,
    smsUrl: url,
    smsMethod: url,
    smsFallbackUrl: url,
    smsFallbackMethod: url,
    statusCallback: url,
    statusCallbackMethod: url,
    reservedUntil: z.string().datetime().nullable(),
    monthlyCostCents: z.number().int(),
    stateChangedAt: z.string().datetime(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('Number');
const Query = z
  .object({
    number: z
      .string()
      .regex(/^\+?[\d*]{1,15}$/, 'digits the number contains (an optional leading +, * for any one digit)')
      .transform((v) => v.replace(/^\+/, ''))
      .optional(),
    friendlyName: z.string().min(1).max(64).optional(),
    capability: z.enum(['voice', 'sms', 'mms', 'fax']).optional(),
    state: z.enum(HELD_STATES).optional(),
    pageSize: z.coerce.number().int().min(1).max(100).default(50),
    pageToken: z.string().min(1).max(400).optional(),
  })
  .strict();
const AccountParam = z.object({ accountId: z.string().min(1).max(64) });
const NumberParam = AccountParam.extend({ address: z.string().min(1).max(100) });
const Status = z.record(z.string(), z.unknown()).openapi('EndpointStatus');

export function numberRoutes(deps: HoldingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'listAccountNumbers',
    tags: ['numbers'],
    method: 'get',
    path: '/v1/accounts/{accountId}/numbers',
    summary: "An account's numbers in address order, a page at a time (pass nextPageToken as pageToken); filtered by digits, friendly name, capability, state",
    request: { params: AccountParam, query: Query },
    responses: {
      200: { description: 'a page of numbers', ...json(z.object({ numbers: z.array(NumberSchema), nextPageToken: z.string().nullable() })) },
      400: error,
      401: error,
      403: error,
      404: error,
    },
  });
  router.get('/v1/accounts/:accountId/numbers', auth('PLATFORM'), async (req, res) => {
    const { accountId } = AccountParam.parse(req.params);
    res.json(await listNumbers(deps.db, principalOf(req), accountId, Query.parse(req.query)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'getAccountNumber',
    tags: ['numbers'],
    method: 'get',
    path: '/v1/accounts/{accountId}/numbers/{address}',
    summary: "One of the account's numbers with its settings",
    request: { params: NumberParam },
    responses: { 200: { description: 'the number', ...json(NumberSchema) }, 400: error, 401: error, 403: error, 404: error },
  });
  router.get('/v1/accounts/:accountId/numbers/:address', auth('PLATFORM'), async (req, res) => {
    const { accountId, address } = NumberParam.parse(req.params);
    res.json(await fetchNumber(deps.db, principalOf(req), accountId, address));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'updateAccountNumber',
    tags: ['numbers'],
    method: 'patch',
    path: '/v1/accounts/{accountId}/numbers/{address}',
    summary: "Change a number's friendly name, application URI, voice / SMS / status-callback URLs and methods (null clears one)",
    request: { params: NumberParam, body: json(NumberUpdate) },
    responses: { 200: { description: 'the number as it is now', ...json(NumberSchema) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.patch('/v1/accounts/:accountId/numbers/:address', auth('PLATFORM'), async (req, res) => {
    const { accountId, address } = NumberParam.parse(req.params);
    res.json(await updateNumber(deps.db, principalOf(req), accountId, address, NumberUpdate.parse(req.body)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'releaseAccountNumber',
    tags: ['numbers'],
    method: 'delete',
    path: '/v1/accounts/{accountId}/numbers/{address}',
    summary: 'Release the number (allocated: it ages before reuse; reserved: available again); its settings go with it',
    request: { params: NumberParam },
    responses: { 200: { description: 'released: the endpoint status', ...json(Status) }, 400: error, 401: error, 403: error, 404: error, 503: error },
  });
  router.delete('/v1/accounts/:accountId/numbers/:address', auth('PLATFORM'), async (req, res) => {
    const { accountId, address } = NumberParam.parse(req.params);
    res.json(await releaseNumber(deps, principalOf(req), accountId, address, operationId(req)));
  });

  return router;
}
