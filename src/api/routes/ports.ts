// Number portability: port a number in from another carrier for an account
// (and follow it), port one out. Platform keys act for their own accounts
// only; operators may read any port request.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { Timestamp } from '../schemas/views';
import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import { portIn, type PortDeps } from '../../usecases/port-in';
import { portOut } from '../../usecases/port-out';
import { portView } from '../../usecases/ports';

const account = z.string().min(1).max(64);
const address = z.string().min(1).max(100);
const PortIn = z
  .object({
    accountId: account,
    address,
    losingCarrier: z.string().min(1).max(200).optional(),
    capabilities: z
      .array(z.enum(['voice', 'sms', 'mms', 'fax']))
      .min(1)
      .max(4)
      .optional()
      .openapi({ description: 'capability names the number has (default: what the tests find)' }),
  })
  .strict()
  .openapi('PortInRequest');
const PortOut = z
  .object({ accountId: account, address, gainingCarrier: z.string().min(1).max(200).optional() })
  .strict()
  .openapi('PortOutRequest');
const PortId = z.object({ id: z.string().uuid().openapi({ description: "the port request's id (a UUID, from the answer that started it)" }) });
const PortView = z
  .object({
    id: z.string(),
    direction: z.enum(['IN', 'OUT']),
    address: z.string(),
    accountId: z.string(),
    status: z.enum(['REQUESTED', 'IN_PROGRESS', 'COMPLETED', 'REJECTED']),
    endpointState: z.string().nullable(),
    losingCarrier: z.string().nullable(),
    gainingCarrier: z.string().nullable(),
    reason: z.string().nullable(),
    requestedAt: Timestamp,
    completedAt: Timestamp.nullable(),
  })
  .strict()
  .openapi('PortRequest');

export function portRoutes(deps: PortDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/port-ins',
    operationId: 'createPortIn',
    tags: ['ports'],
    summary:
      "Port a number in from another carrier for an account: it joins the repository as PORTING_IN, is tested, and is the account's (ALLOCATED) when the checks pass, REJECTED otherwise. Follow it at /v1/ports/{id}.",
    request: { body: body(PortIn) },
    responses: {
      202: { description: 'port-in under way', ...json(PortView) },
      404: { ...error, description: 'an account the key does not act for (`not_found`)' },
      409: { ...error, description: 'the number is managed here already (`conflict`), or the same Idempotency-Key still runs' },
    },
  });
  router.post('/v1/port-ins', auth('PLATFORM'), async (req, res) => {
    res.status(202).json(await portIn(deps, principalOf(req), PortIn.parse(req.body), operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/port-outs',
    operationId: 'createPortOut',
    tags: ['ports'],
    summary:
      "Port an account's endpoint out to another carrier: it keeps routing until the port completes (PORT_OUT_DURATION), then it is gone. Follow it at /v1/ports/{id}.",
    request: { body: body(PortOut) },
    responses: {
      202: { description: 'port-out under way', ...json(PortView) },
      404: { ...error, description: 'not held by that account (`not_found`)' },
      409: { ...error, description: 'not ALLOCATED (`conflict`), or the same Idempotency-Key still runs' },
    },
  });
  router.post('/v1/port-outs', auth('PLATFORM'), async (req, res) => {
    res.status(202).json(await portOut(deps, principalOf(req), PortOut.parse(req.body), operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'),
    method: 'get',
    path: '/v1/ports/{id}',
    operationId: 'getPort',
    tags: ['ports'],
    summary: 'A port request (in or out) and where it stands',
    request: { params: PortId },
    responses: {
      200: { description: 'the port request', ...json(PortView) },
      404: { ...error, description: "no such port request, or another account's (`not_found`)" },
    },
  });
  router.get('/v1/ports/:id', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    res.json(await portView(deps.db, PortId.parse(req.params).id, principalOf(req)));
  });

  return router;
}
