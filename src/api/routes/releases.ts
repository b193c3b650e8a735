// Releasing an account's endpoint (src/usecases/release.ts). Platform keys,
// for their own accounts only: another account's endpoint is a 404.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { EndpointStatusView, endpointStatusView } from '../schemas/views';

import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import type { HoldingDeps } from '../../usecases/allocate';
import { release } from '../../usecases/release';

const Release = z
  .object({ accountId: z.string().min(1).max(64), address: z.string().min(1).max(100) })
  .strict()
  .openapi('ReleaseRequest');

export function releaseRoutes(deps: Pick<HoldingDeps, 'db' | 'temporal' | 'notify'>, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/releases',
    operationId: 'createRelease',
    tags: ['endpoints'],
    summary: "Release an account's endpoint (allocated: it ages before reuse; reserved: available again)",
    request: { body: body(Release) },
    responses: {
      200: { description: 'released: the endpoint status (AGING, or AVAILABLE for a reservation)', ...json(EndpointStatusView) },
      404: { ...error, description: 'not held by that account, or an account the key does not act for (`not_found`)' },
      409: error,
    },
  });
  router.post('/v1/releases', auth('PLATFORM'), async (req, res) => {
    const input = Release.parse(req.body);
    res.json(endpointStatusView(await release(deps, principalOf(req), input, operationId(req))));
  });
  return router;
}
