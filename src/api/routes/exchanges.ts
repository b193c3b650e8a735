// Exchanging an account's endpoint for another (src/usecases/exchange.ts).
// Platform keys, for their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { EndpointStatusView, endpointStatusView } from '../schemas/views';

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
    operationId: 'createExchange',
    tags: ['endpoints'],
    summary:
      "Exchange an account's endpoint for another (a given address, criteria, or by default the same area code and capabilities): the new one is allocated with the old one's application URI, then the old one is released. If the release is refused, the new one is given back; if its answer is lost, the retry with the same Idempotency-Key finishes the exchange.",
    request: { body: body(Exchange) },
    responses: {
      201: {
        description: 'exchanged: the new endpoint and the old one',
        ...json(z.object({ allocated: EndpointStatusView, released: EndpointStatusView }).strict()),
      },
      404: { ...error, description: 'the old one is not held by that account (`not_found`)' },
      409: {
        ...error,
        description:
          'the old one is not ALLOCATED (`conflict`), nothing matches (`none_available`), the country rules refuse the new one to the account (`address_required`, `kind_not_sold`, `account_cap_reached`: the old one is kept), or the same Idempotency-Key still runs',
      },
    },
  });
  router.post('/v1/exchanges', auth('PLATFORM'), async (req, res) => {
    const input = Exchange.parse(req.body);
    const answer = await exchange(deps, principalOf(req), input, { operation: operationId(req), resumable: req.get('idempotency-key') !== undefined });
    res.status(201).json({ allocated: endpointStatusView(answer.allocated), released: endpointStatusView(answer.released) });
  });
  return router;
}
