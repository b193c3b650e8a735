// Reservations as resources (src/usecases/reserve.ts): an AVAILABLE endpoint
// held for an account for some minutes (it returns to AVAILABLE by itself),
// read, extended, cancelled, converted into an allocation. Platform keys, for
// their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import type { HoldingDeps } from '../../usecases/allocate';
import { cancelReservation, convertReservation, extendReservation, getReservation, reserve } from '../../usecases/reserve';

const minutes = z
  .number()
  .int()
  .min(1)
  .max(24 * 60);
const Reserve = z
  .object({
    accountId: z.string().min(1).max(64),
    address: z.string().min(1).max(100),
    minutes: minutes.default(15),
  })
  .strict()
  .openapi('ReservationRequest');
const Extend = z.object({ minutes }).strict().openapi('ReservationExtension');
const Convert = z
  .object({ applicationUri: z.string().max(2000).optional() })
  .strict()
  .openapi('ReservationConversion');
const Reservation = z
  .object({
    id: z.string(),
    accountId: z.string(),
    address: z.string(),
    status: z.enum(['active', 'expired', 'cancelled', 'converted']),
    reservedAt: z.string().datetime(),
    expiresAt: z.string().datetime().openapi({ description: 'when it ends (or ended) unless extended or converted' }),
    endedAt: z.string().datetime().nullable(),
  })
  .openapi('Reservation');
const Reserved = z
  .object({ id: z.string(), expiresAt: z.string().datetime().nullable(), address: z.string(), state: z.string(), accountId: z.string().nullable() })
  .passthrough()
  .openapi('ReservedEndpoint');
const Allocated = z.record(z.string(), z.unknown()).openapi('ConvertedReservation');
const Id = z.object({ id: z.string().min(1).max(200) });
const NoBody = z.object({}).strict();

export function reservationRoutes(deps: HoldingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'createReservation',
    tags: ['reservations'],
    method: 'post',
    path: '/v1/reservations',
    summary:
      'Reserve an AVAILABLE endpoint for an account for some minutes (it returns to AVAILABLE by itself): the endpoint status with the reservation id and expiresAt',
    request: { body: json(Reserve) },
    responses: { 201: { description: 'reserved', ...json(Reserved) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.post('/v1/reservations', auth('PLATFORM'), async (req, res) => {
    const body = Reserve.parse(req.body);
    res.status(201).json(await reserve(deps, principalOf(req), body, operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'getReservation',
    tags: ['reservations'],
    method: 'get',
    path: '/v1/reservations/{id}',
    summary: 'A reservation: active, expired, cancelled or converted, and until when',
    request: { params: Id },
    responses: { 200: { description: 'the reservation', ...json(Reservation) }, 400: error, 401: error, 403: error, 404: error },
  });
  router.get('/v1/reservations/:id', auth('PLATFORM'), async (req, res) => {
    res.json(await getReservation(deps.db, principalOf(req), Id.parse(req.params).id));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'extendReservation',
    tags: ['reservations'],
    method: 'post',
    path: '/v1/reservations/{id}/extension',
    summary: 'Extend an active reservation to `minutes` from now (at most RESERVATION_MAX)',
    request: { params: Id, body: json(Extend) },
    responses: { 200: { description: 'extended', ...json(Reservation) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.post('/v1/reservations/:id/extension', auth('PLATFORM'), async (req, res) => {
    const { id } = Id.parse(req.params);
    res.json(await extendReservation(deps, principalOf(req), id, Extend.parse(req.body).minutes, operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'cancelReservation',
    tags: ['reservations'],
    method: 'delete',
    path: '/v1/reservations/{id}',
    summary: 'Cancel an active reservation: the endpoint is AVAILABLE again at once',
    request: { params: Id },
    responses: { 200: { description: 'cancelled', ...json(Reservation) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.delete('/v1/reservations/:id', auth('PLATFORM'), async (req, res) => {
    const { id } = Id.parse(req.params);
    NoBody.parse(req.body ?? {});
    res.json(await cancelReservation(deps, principalOf(req), id, operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    operationId: 'convertReservation',
    tags: ['reservations'],
    method: 'post',
    path: '/v1/reservations/{id}/allocation',
    summary: 'Convert an active reservation into an allocation of the same endpoint to the same account',
    request: { params: Id, body: json(Convert) },
    responses: {
      201: { description: 'allocated: the endpoint status with the reservation', ...json(Allocated) },
      400: error,
      401: error,
      403: error,
      404: error,
      409: error,
    },
  });
  router.post('/v1/reservations/:id/allocation', auth('PLATFORM'), async (req, res) => {
    const { id } = Id.parse(req.params);
    res.status(201).json(await convertReservation(deps, principalOf(req), id, Convert.parse(req.body ?? {}), operationId(req)));
  });
  return router;
}
