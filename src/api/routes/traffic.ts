// The call router's feed of inbound traffic to unallocated numbers
// (src/usecases/traffic.ts). Router and operator keys: a platform key acts for
// tenants, and a tenant must not lengthen another's quarantine (403).
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { Accepted } from '../schemas/views';
import type { Auth } from '../middleware/auth';
import { failedCall, traffic, type TrafficDeps } from '../../usecases/traffic';

const Traffic = z
  .object({
    address: z.string().min(1).max(100),
    medium: z.enum(['voice', 'messaging']),
    count: z.number().int().min(1).max(10_000).default(1),
    from: z.string().max(100).optional(),
    direction: z
      .enum(['in', 'out'])
      .optional()
      .openapi({ description: 'in (default): to the number; out: from it. An allocated number’s traffic is counted as its holder’s usage' }),
  })
  .strict()
  .openapi('InboundTraffic');

const FailedCall = z
  .object({
    address: z.string().min(1).max(100),
    capability: z.enum(['voice', 'sms', 'mms', 'fax']).openapi({ description: 'what failed: a call (voice), an SMS, an MMS or a fax' }),
    reason: z.string().min(1).max(200).optional().openapi({ description: 'what the router saw, e.g. "SIP 503", "no media"' }),
  })
  .strict()
  .openapi('FailedCall');

export function trafficRoutes(deps: TrafficDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('ROUTER', 'OPERATOR'),
    method: 'post',
    path: '/v1/traffic',
    operationId: 'reportTraffic',
    tags: ['routing'],
    summary: 'Inbound calls or messages the call router saw for an unallocated number (judged in quarantine)',
    request: { body: body(Traffic) },
    responses: {
      202: { description: 'passed to the endpoint', ...json(Accepted) },
      404: { ...error, description: 'no managed endpoint at that address (`not_found`)' },
    },
  });
  router.post('/v1/traffic', auth('ROUTER', 'OPERATOR'), async (req, res) => {
    await traffic(deps, Traffic.parse(req.body));
    res.status(202).json({ status: 'accepted' });
  });

  registry.registerPath({
    ...secured('ROUTER', 'OPERATOR'),
    method: 'post',
    path: '/v1/traffic/failures',
    operationId: 'reportFailedCall',
    tags: ['routing'],
    summary: 'A call or message to a number in service that failed: the number re-tests that medium for real',
    request: { body: body(FailedCall) },
    responses: {
      202: { description: 'passed to the endpoint (re-tested if AVAILABLE or ALLOCATED, else ignored)', ...json(Accepted) },
      404: { ...error, description: 'no managed endpoint at that address (`not_found`)' },
    },
  });
  router.post('/v1/traffic/failures', auth('ROUTER', 'OPERATOR'), async (req, res) => {
    await failedCall(deps, FailedCall.parse(req.body));
    res.status(202).json({ status: 'accepted' });
  });
  return router;
}
