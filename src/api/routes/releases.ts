// Releasing an account's endpoint (src/usecases/release.ts). Platform keys,
// for their own accounts only: another account's endpoint is a 404.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
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
    summary: "Release an account's endpoint (allocated: it ages before reuse; reserved: available again)",
    request: { body: json(Release) },
    responses: { 200: { description: 'released' }, 400: error, 404: error, 409: error },
  });
  router.post('/v1/releases', auth('PLATFORM'), async (req, res) => {
    const body = Release.parse(req.body);
    res.json(await release(deps, principalOf(req), body, operationId(req)));
  });
  return router;
}
