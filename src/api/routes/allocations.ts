// Allocation: one endpoint by address, or the best AVAILABLE match for
// criteria (src/usecases/allocate.ts). Platform keys, for their own accounts
// only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { EndpointStatusView, endpointStatusView } from '../schemas/views';

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
    operationId: 'createAllocation',
    tags: ['endpoints'],
    summary: 'Allocate an endpoint to an account: by address, or the best match for criteria',
    request: { body: body(Allocate) },
    responses: {
      201: { description: 'allocated: the endpoint status', ...json(EndpointStatusView) },
      404: { ...error, description: 'an account the key does not act for, or no managed endpoint at that address (`not_found`)' },
      409: {
        ...error,
        description: 'not available (`conflict`), nothing matches the criteria (`none_available`, with `tags`), or the same Idempotency-Key still runs',
      },
    },
  });
  router.post('/v1/allocations', auth('PLATFORM'), async (req, res) => {
    const input = Allocate.parse(req.body);
    const status = await allocate(deps, principalOf(req), input, { operation: operationId(req), resumable: req.get('idempotency-key') !== undefined });
    res.status(201).json(endpointStatusView(status));
  });
  return router;
}
