// Reserving an AVAILABLE endpoint for an account for some minutes
// (src/usecases/reserve.ts). Platform keys, for their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { EndpointStatusView, endpointStatusView } from '../schemas/views';

import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import { reserve, type ReserveDeps } from '../../usecases/reserve';

const Reserve = z
  .object({
    accountId: z.string().min(1).max(64),
    address: z.string().min(1).max(100),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15)
      .openapi({ description: 'how long, in minutes (default 15); longer than RESERVATION_MAX (1 hour by default) is a 400 naming minutes' }),
  })
  .strict()
  .openapi('ReservationRequest');

export function reservationRoutes(deps: ReserveDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/reservations',
    operationId: 'createReservation',
    tags: ['endpoints'],
    summary: 'Reserve an AVAILABLE endpoint for an account for some minutes (it returns to AVAILABLE by itself)',
    request: { body: body(Reserve) },
    responses: {
      201: { description: 'reserved: the endpoint status (RESERVED, `reservedUntil`)', ...json(EndpointStatusView) },
      400: { ...error, description: 'bad input, or `minutes` longer than RESERVATION_MAX (`bad_request` naming `minutes`)' },
      404: { ...error, description: 'no managed endpoint at that address, or an account the key does not act for (`not_found`)' },
      409: { ...error, description: 'not AVAILABLE (`conflict`), or the same Idempotency-Key still runs' },
    },
  });
  router.post('/v1/reservations', auth('PLATFORM'), async (req, res) => {
    const input = Reserve.parse(req.body);
    res.status(201).json(endpointStatusView(await reserve(deps, principalOf(req), input, operationId(req))));
  });
  return router;
}
