// Allocation: one endpoint by address, or the best AVAILABLE match for
// criteria (src/usecases/allocate.ts); with criteria, a quantity of them, all
// or nothing or partial (src/usecases/allocate-batch.ts). Platform keys, for
// their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { AllocationOutcome, errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { EndpointStatusView, endpointStatusView } from '../schemas/views';

import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import { CriteriaSchema } from '../schemas/criteria';
import { allocate, type HoldingDeps } from '../../usecases/allocate';
import { MAX_QUANTITY, allocateBatch, type BatchAnswer } from '../../usecases/allocate-batch';

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

/** A quantity's answer: a result per number, an allocated one with its endpoint status. */
const AllocationBatchView = z
  .object({
    mode: z.enum(['all_or_nothing', 'partial']),
    requested: z.number().int(),
    allocated: z.number().int(),
    results: z.array(
      AllocationOutcome.extend({ endpoint: EndpointStatusView.optional().openapi({ description: 'allocated: the endpoint status' }) })
        .strict()
        .openapi('AllocationResult'),
    ),
  })
  .strict()
  .openapi('AllocationBatch');

const batchView = (b: BatchAnswer): z.infer<typeof AllocationBatchView> => ({
  ...b,
  results: b.results.map((r) => (r.outcome === 'allocated' ? { ...r, endpoint: endpointStatusView(r.endpoint) } : r)),
});

export function allocationRoutes(deps: HoldingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/allocations',
    operationId: 'createAllocation',
    tags: ['endpoints'],
    summary:
      'Allocate an endpoint to an account: by address, or the best match for criteria; with criteria and a quantity, that many (all or nothing, or partial) with a result per number',
    request: { body: body(Allocate) },
    responses: {
      201: {
        description: 'allocated: the endpoint status (with a quantity: the batch, a result per number)',
        ...json(z.union([EndpointStatusView, AllocationBatchView])),
      },
      404: { ...error, description: 'an account the key does not act for, or no managed endpoint at that address (`not_found`)' },
      409: {
        ...error,
        description:
          'not available (`conflict`), nothing matches the criteria (`none_available`, with `tags`), a quantity that cannot be had (`not_enough_available`, with `results`), the country rules refuse it to the account (`address_required`, `kind_not_sold`, `account_cap_reached`, with `country`, `kind`, `sources`), or the same Idempotency-Key still runs',
      },
    },
  });
  router.post('/v1/allocations', auth('PLATFORM'), async (req, res) => {
    const { quantity, mode, ...one } = Allocate.parse(req.body);
    const run = { operation: operationId(req), resumable: req.get('idempotency-key') !== undefined };
    if (quantity === undefined) {
      res.status(201).json(endpointStatusView(await allocate(deps, principalOf(req), one, run)));
      return;
    }
    // the refinements above: a quantity comes with criteria
    const criteria = one.criteria!;
    res.status(201).json(batchView(await allocateBatch(deps, principalOf(req), { ...one, criteria, quantity, mode: mode ?? 'all_or_nothing' }, run)));
  });
  return router;
}
