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
import { MAX_QUANTITY, allocateBatch } from '../../usecases/allocate-batch';

const Allocate = z
  .object({
    accountId: z.string().min(1).max(64),
    address: z.string().min(1).max(100).optional(),
    criteria: CriteriaSchema.optional(),
    applicationUri: z.string().max(2000).optional(),
    quantity: z
      .number()
      .int()
      .min(1)
      .max(MAX_QUANTITY)
      .optional()
      .openapi({ description: `with criteria: allocate this many (at most ${MAX_QUANTITY}); the answer lists each` }),
    mode: z
      .enum(['all_or_nothing', 'partial'])
      .optional()
      .openapi({ description: 'with quantity: all_or_nothing (default) gives back what it got when it cannot get all; partial keeps what it got' }),
  })
  .strict()
  .refine((b) => (b.address === undefined) !== (b.criteria === undefined), { message: 'give either address or criteria', path: ['criteria'] })
  .refine((b) => b.quantity === undefined || b.criteria !== undefined, { message: 'a quantity goes with criteria, not an address', path: ['quantity'] })
  .refine((b) => b.mode === undefined || b.quantity !== undefined, { message: 'a mode goes with a quantity', path: ['mode'] })
  .openapi('AllocationRequest');
const Result = z
  .object({
    index: z.number().int(),
    outcome: z.enum(['allocated', 'released', 'failed']),
    address: z.string().optional(),
    endpoint: z.record(z.string(), z.unknown()).optional(),
    reason: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi('AllocationResult');
const Batch = z
  .object({ mode: z.enum(['all_or_nothing', 'partial']), requested: z.number().int(), allocated: z.number().int(), results: z.array(Result) })
  .openapi('AllocationBatch');

export function allocationRoutes(deps: HoldingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'createAllocation',
    tags: ['allocations'],
    method: 'post',
    path: '/v1/allocations',
    summary:
      'Allocate an endpoint to an account: by address, or the best match for criteria; with criteria and a quantity, that many (all or nothing, or partial) with a result per number',
    request: { body: json(Allocate) },
    responses: {
      201: {
        description: 'allocated: the endpoint status (with a quantity: the batch, a result per number)',
        ...json(z.union([z.record(z.string(), z.unknown()), Batch])),
      },
      400: error,
      401: error,
      403: error,
      404: error,
      409: error,
    },
  });
  router.post('/v1/allocations', auth('PLATFORM'), async (req, res) => {
    const body = Allocate.parse(req.body);
    const run = { operation: operationId(req), resumable: req.get('idempotency-key') !== undefined };
    const { quantity, mode, ...one } = body;
    const answer =
      quantity === undefined
        ? await allocate(deps, principalOf(req), one, run)
        : await allocateBatch(deps, principalOf(req), { ...one, criteria: one.criteria!, quantity, mode: mode ?? 'all_or_nothing' }, run);
    res.status(201).json(answer);
  });
  return router;
}
