// Reserving an AVAILABLE endpoint for an account for some minutes
// (src/usecases/reserve.ts). Platform keys, for their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import type { HoldingDeps } from '../../usecases/allocate';
import { reserve } from '../../usecases/reserve';

const Reserve = z
  .object({
    accountId: z.string().min(1).max(64),
    address: z.string().min(1).max(100),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
  })
  .strict()
  .openapi('ReservationRequest');

export function reservationRoutes(deps: Pick<HoldingDeps, 'db' | 'temporal' | 'notify'>, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/reservations',
    summary: 'Reserve an AVAILABLE endpoint for an account for some minutes (it returns to AVAILABLE by itself)',
    request: { body: json(Reserve) },
    responses: { 201: { description: 'reserved' }, 400: error, 404: error, 409: error },
  });
  router.post('/v1/reservations', auth('PLATFORM'), async (req, res) => {
    const body = Reserve.parse(req.body);
    res.status(201).json(await reserve(deps, principalOf(req), body, operationId(req)));
  });
  return router;
}
