// Number portability: port a number in from another carrier for an account
// (and follow it), port one out. Platform keys act for their own accounts
// only; operators may read any port request.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
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
      .optional(),
  })
  .strict()
  .openapi('PortInRequest');
const PortOut = z
  .object({ accountId: account, address, gainingCarrier: z.string().min(1).max(200).optional() })
  .strict()
  .openapi('PortOutRequest');
const PortId = z.object({ id: z.string().uuid() });
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
    requestedAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .openapi('PortRequest');

export function portRoutes(deps: PortDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/port-ins',
    summary:
      "Port a number in from another carrier for an account: it joins the repository as PORTING_IN, is tested, and is the account's (ALLOCATED) when the checks pass, REJECTED otherwise. Follow it at /v1/ports/{id}.",
    request: { body: json(PortIn) },
    responses: { 202: { description: 'port-in under way', ...json(PortView) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.post('/v1/port-ins', auth('PLATFORM'), async (req, res) => {
    res.status(202).json(await portIn(deps, principalOf(req), PortIn.parse(req.body), operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/port-outs',
    summary:
      "Port an account's endpoint out to another carrier: it keeps routing until the port completes (PORT_OUT_DURATION), then it is gone. Follow it at /v1/ports/{id}.",
    request: { body: json(PortOut) },
    responses: { 202: { description: 'port-out under way', ...json(PortView) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.post('/v1/port-outs', auth('PLATFORM'), async (req, res) => {
    res.status(202).json(await portOut(deps, principalOf(req), PortOut.parse(req.body), operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'),
    method: 'get',
    path: '/v1/ports/{id}',
    summary: 'A port request (in or out) and where it stands',
    request: { params: PortId },
    responses: { 200: { description: 'the port request', ...json(PortView) }, 400: error, 401: error, 403: error, 404: error },
  });
  router.get('/v1/ports/:id', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    res.json(await portView(deps.db, PortId.parse(req.params).id, principalOf(req)));
  });

  return router;
}
