// An account's numbers (src/usecases/numbers.ts): listed (keyset-paged,
// filtered), fetched, their settings changed, released by DELETE. Platform
// keys, for their own accounts only: another account's number is a 404.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { CapabilitiesView, EndpointStatusView, Kind, State, Timestamp, endpointStatusView, kindName } from '../schemas/views';
import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import type { HoldingDeps } from '../../usecases/allocate';
import { fetchNumber, listNumbers, releaseNumber, updateNumber, type NumberView } from '../../usecases/numbers';
import type { EndpointKind } from '../../domain/numbers';

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
    friendlyName: z.string().max(64).nullable().openapi({ description: 'a name the account gives it (at most 64 characters)' }),
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
    state: State,
    kind: Kind,
    country: z.string().nullable(),
    npa: z.string().nullable(),
    capabilities: CapabilitiesView.openapi({ description: 'what it offers now (tests passed)' }),
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
    reservedUntil: Timestamp.nullable(),
    monthlyCostCents: z.number().int(),
    stateChangedAt: Timestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .strict()
  .openapi('Number');
const NumberPage = z
  .object({
    numbers: z.array(NumberSchema),
    nextPageToken: z.string().nullable().openapi({ description: 'pass as pageToken for the next page; null on the last' }),
  })
  .strict()
  .openapi('NumberPage');
/** the number in the API's vocabulary (a lower snake case kind) */
const numberResource = ({ endpointId: _id, ...n }: NumberView): z.infer<typeof NumberSchema> => ({ ...n, kind: kindName(n.kind as EndpointKind) });
const Query = z
  .object({
    number: z
      .string()
      .regex(/^\+?[\d*]{1,15}$/, 'digits the number contains (an optional leading +, * for any one digit)')
      .transform((v) => v.replace(/^\+/, ''))
      .optional()
      .openapi({ type: 'string', description: 'digits the number contains (an optional leading +, * for any one digit)' }),
    friendlyName: z.string().min(1).max(64).optional().openapi({ description: 'only numbers with this friendly name' }),
    capability: z.enum(['voice', 'sms', 'mms', 'fax']).optional().openapi({ description: 'only numbers offering this capability now' }),
    state: z.enum(HELD_STATES).optional().openapi({ description: 'only numbers in this state (ALLOCATED, RESERVED, TESTING, PORTING_IN, PORTING_OUT)' }),
    pageSize: z.coerce.number().int().min(1).max(100).default(50).openapi({ description: 'numbers per page, 1–100 (default 50)' }),
    pageToken: z.string().min(1).max(400).optional().openapi({ description: "the previous page's nextPageToken (of this same list)" }),
  })
  .strict();
const AccountParam = z.object({ accountId: z.string().min(1).max(64).openapi({ description: 'the account (one the key acts for)' }) });
const NumberParam = AccountParam.extend({
  address: z.string().min(1).max(100).openapi({ description: 'the number, E.164 (`+14155550100`; URL-encode the +)' }),
});
const NOT_FOUND = { ...error, description: 'an account the key does not act for, or a number the account does not hold (`not_found`)' };
const DEACTIVATED = { ...error, description: "the key's scope may not use this, or the account is deactivated (`forbidden`)" };

export function numberRoutes(deps: HoldingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'listAccountNumbers',
    tags: ['accounts'],
    method: 'get',
    path: '/v1/accounts/{accountId}/numbers',
    summary: "An account's numbers in address order, a page at a time (pass nextPageToken as pageToken); filtered by digits, friendly name, capability, state",
    request: { params: AccountParam, query: Query },
    responses: {
      200: { description: 'a page of numbers', ...json(NumberPage) },
      403: DEACTIVATED,
      404: NOT_FOUND,
    },
  });
  router.get('/v1/accounts/:accountId/numbers', auth('PLATFORM'), async (req, res) => {
    const { accountId } = AccountParam.parse(req.params);
    const page = await listNumbers(deps.db, principalOf(req), accountId, Query.parse(req.query));
    res.json({ numbers: page.numbers.map(numberResource), nextPageToken: page.nextPageToken });
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'getAccountNumber',
    tags: ['accounts'],
    method: 'get',
    path: '/v1/accounts/{accountId}/numbers/{address}',
    summary: "One of the account's numbers with its settings",
    request: { params: NumberParam },
    responses: { 200: { description: 'the number', ...json(NumberSchema) }, 403: DEACTIVATED, 404: NOT_FOUND },
  });
  router.get('/v1/accounts/:accountId/numbers/:address', auth('PLATFORM'), async (req, res) => {
    const { accountId, address } = NumberParam.parse(req.params);
    res.json(numberResource(await fetchNumber(deps.db, principalOf(req), accountId, address)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'updateAccountNumber',
    tags: ['accounts'],
    method: 'patch',
    path: '/v1/accounts/{accountId}/numbers/{address}',
    summary: "Change a number's friendly name, application URI, voice / SMS / status-callback URLs and methods (null clears one)",
    request: { params: NumberParam, body: body(NumberUpdate) },
    responses: {
      200: { description: 'the number as it is now', ...json(NumberSchema) },
      403: DEACTIVATED,
      404: NOT_FOUND,
      409: { ...error, description: 'an application URI for a number that is not allocated (`conflict`)' },
    },
  });
  router.patch('/v1/accounts/:accountId/numbers/:address', auth('PLATFORM'), async (req, res) => {
    const { accountId, address } = NumberParam.parse(req.params);
    res.json(numberResource(await updateNumber(deps.db, principalOf(req), accountId, address, NumberUpdate.parse(req.body))));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'releaseAccountNumber',
    tags: ['accounts'],
    method: 'delete',
    path: '/v1/accounts/{accountId}/numbers/{address}',
    summary: 'Release the number (allocated: it ages before reuse; reserved: available again); its settings go with it',
    request: { params: NumberParam },
    responses: {
      200: { description: 'released: the endpoint status (AGING, or AVAILABLE for a reservation)', ...json(EndpointStatusView) },
      403: DEACTIVATED,
      404: NOT_FOUND,
      409: { ...error, description: 'refused in its current state (`conflict`)' },
    },
  });
  router.delete('/v1/accounts/:accountId/numbers/:address', auth('PLATFORM'), async (req, res) => {
    const { accountId, address } = NumberParam.parse(req.params);
    res.json(endpointStatusView(await releaseNumber(deps, principalOf(req), accountId, address, operationId(req))));
  });

  return router;
}
