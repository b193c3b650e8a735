// Exchanging an account's endpoint for another (src/usecases/exchange.ts).
// Platform keys, for their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import { CriteriaSchema } from '../schemas/criteria';
import type { HoldingDeps } from '../../usecases/allocate';
import { exchange } from '../../usecases/exchange';

const account = z.string().min(1).max(64);
const address = z.string().min(1).max(100);
const Exchange = z
  .object({ accountId: account, address, newAddress: address.optional(), criteria: CriteriaSchema.optional() })
  .strict()
  .refine((b) => b.newAddress === undefined || b.criteria === undefined, { message: 'give newAddress or criteria, not both', path: ['criteria'] })
  .openapi('ExchangeRequest');

export function exchangeRoutes(deps: HoldingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/exchanges',
    summary:
      "Exchange an account's endpoint for another (a given address, criteria, or by default the same area code and capabilities): the new one is allocated with the old one's application URI, then the old one is released. If the release is refused, the new one is given back; if its answer is lost, the retry with the same Idempotency-Key finishes the exchange.",
    request: { body: json(Exchange) },
    responses: {
      201: { description: 'exchanged', ...json(z.object({ allocated: z.record(z.string(), z.unknown()), released: z.record(z.string(), z.unknown()) })) },
      400: error,
      401: error,
      403: error,
      404: error,
      409: error,
    },
  });
  router.post('/v1/exchanges', auth('PLATFORM'), async (req, res) => {
    const body = Exchange.parse(req.body);
    const answer = await exchange(deps, principalOf(req), body, { operation: operationId(req), resumable: req.get('idempotency-key') !== undefined });
    res.status(201).json(answer);
  });
  return router;
}
