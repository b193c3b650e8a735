// The call router's feed of inbound traffic to unallocated numbers
// (src/usecases/traffic.ts). Router and operator keys: a platform key acts for
// tenants, and a tenant must not lengthen another's quarantine (403).
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { Accepted } from '../schemas/views';
import type { Auth } from '../middleware/auth';
import { traffic, type TrafficDeps } from '../../usecases/traffic';

const Traffic = z
  .object({
    address: z.string().min(1).max(100),
    medium: z.enum(['voice', 'messaging']),
    count: z.number().int().min(1).max(10_000).default(1),
    from: z.string().max(100).optional(),
  })
  .strict()
  .openapi('InboundTraffic');

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
  return router;
}
