// Allocation: one endpoint by address, or the best AVAILABLE match for
// criteria (src/usecases/allocate.ts). Platform keys, for their own accounts
// only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import { CriteriaSchema } from '../schemas/criteria';
import { allocate, type HoldingDeps } from '../../usecases/allocate';

const Allocate = z
  .object({
    accountId: z.string().min(1).max(64),
    address: z.string().min(1).max(100).optional(),
    criteria: CriteriaSchema.optional(),
    applicationUri: z.string().max(2000).optional(),
  })
  .strict()
  .refine((b) => (b.address === undefined) !== (b.criteria === undefined), { message: 'give either address or criteria', path: ['criteria'] })
  .openapi('AllocationRequest');

export function allocationRoutes(deps: HoldingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/allocations',
    summary: 'Allocate an endpoint to an account: by address, or the best match for criteria',
    request: { body: json(Allocate) },
    responses: {
      201: { description: 'allocated: the endpoint status', ...json(z.record(z.string(), z.unknown())) },
      400: error,
      401: error,
      403: error,
      404: error,
      409: error,
    },
  });
  router.post('/v1/allocations', auth('PLATFORM'), async (req, res) => {
    const body = Allocate.parse(req.body);
    const status = await allocate(deps, principalOf(req), body, { operation: operationId(req), resumable: req.get('idempotency-key') !== undefined });
    res.status(201).json(status);
  });
  return router;
}
