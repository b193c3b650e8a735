// Reservations as resources (src/usecases/reserve.ts): an AVAILABLE endpoint
// held for an account for some minutes (it returns to AVAILABLE by itself),
// read, extended, cancelled, converted into an allocation. Platform keys, for
// their own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { ConvertedReservationView, ReservationView, ReservedEndpointView, convertedReservationView, reservedEndpointView } from '../schemas/views';

import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import type { HoldingDeps } from '../../usecases/allocate';
import { cancelReservation, convertReservation, extendReservation, getReservation, reserve, type ReserveDeps } from '../../usecases/reserve';

const minutes = z
  .number()
  .int()
  .min(1)
  .max(24 * 60);
const Reserve = z
  .object({
    accountId: z.string().min(1).max(64),
    address: z.string().min(1).max(100),
    minutes: minutes
      .default(15)
      .openapi({ description: 'how long, in minutes (default 15); longer than RESERVATION_MAX (1 hour by default) is a 400 naming minutes' }),
  })
  .strict()
  .openapi('ReservationRequest');
const Extend = z
  .object({
    minutes: minutes.openapi({ description: 'the reservation ends this many minutes from now; longer than RESERVATION_MAX is a 400 naming minutes' }),
  })
  .strict()
  .openapi('ReservationExtension');
const Convert = z
  .object({ applicationUri: z.string().max(2000).optional().openapi({ description: "where the number's traffic goes once allocated" }) })
  .strict()
  .openapi('ReservationConversion');
const Id = z.object({ id: z.string().min(1).max(200).openapi({ description: 'the reservation id (`rsv_…`) that reserving answered' }) });
const NoBody = z.object({}).strict();

export function reservationRoutes(deps: HoldingDeps & ReserveDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/reservations',
    operationId: 'createReservation',
    tags: ['endpoints'],
    summary:
      'Reserve an AVAILABLE endpoint for an account for some minutes (it returns to AVAILABLE by itself): the endpoint status with the reservation id and expiresAt',
    request: { body: body(Reserve) },
    responses: {
      201: {
        description: 'reserved: the endpoint status (RESERVED, `reservedUntil`) with the reservation `id` and `expiresAt`',
        ...json(ReservedEndpointView),
      },
      400: { ...error, description: 'bad input, or `minutes` longer than RESERVATION_MAX (`bad_request` naming `minutes`)' },
      403: { ...error, description: "the key's scope may not reserve, or the account is deactivated (`forbidden`)" },
      404: { ...error, description: 'no managed endpoint at that address, or an account the key does not act for (`not_found`)' },
      409: {
        ...error,
        description:
          'not AVAILABLE (`conflict`), the country rules refuse it to the account (`address_required`, `kind_not_sold`, `account_cap_reached`), or the same Idempotency-Key still runs',
      },
    },
  });
  router.post('/v1/reservations', auth('PLATFORM'), async (req, res) => {
    const input = Reserve.parse(req.body);
    res.status(201).json(reservedEndpointView(await reserve(deps, principalOf(req), input, operationId(req))));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'get',
    path: '/v1/reservations/{id}',
    operationId: 'getReservation',
    tags: ['endpoints'],
    summary: 'A reservation: active, expired, cancelled or converted, and until when',
    request: { params: Id },
    responses: {
      200: { description: 'the reservation', ...json(ReservationView) },
      403: { ...error, description: "the key's scope may not read it, or its account is deactivated (`forbidden`)" },
      404: { ...error, description: 'no such reservation, or another account’s (`not_found`)' },
    },
  });
  router.get('/v1/reservations/:id', auth('PLATFORM'), async (req, res) => {
    res.json(await getReservation(deps.db, principalOf(req), Id.parse(req.params).id));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/reservations/{id}/extension',
    operationId: 'extendReservation',
    tags: ['endpoints'],
    summary: 'Extend an active reservation to `minutes` from now (at most RESERVATION_MAX)',
    request: { params: Id, body: body(Extend) },
    responses: {
      200: { description: 'extended: the reservation with its new expiresAt', ...json(ReservationView) },
      400: { ...error, description: 'bad input, or `minutes` longer than RESERVATION_MAX (`bad_request` naming `minutes`)' },
      404: { ...error, description: 'no such reservation, or another account’s (`not_found`)' },
      409: { ...error, description: 'the reservation is no longer active (expired, cancelled, converted: `conflict`), or the same Idempotency-Key still runs' },
    },
  });
  router.post('/v1/reservations/:id/extension', auth('PLATFORM'), async (req, res) => {
    const { id } = Id.parse(req.params);
    res.json(await extendReservation(deps, principalOf(req), id, Extend.parse(req.body).minutes, operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'delete',
    path: '/v1/reservations/{id}',
    operationId: 'cancelReservation',
    tags: ['endpoints'],
    summary: 'Cancel an active reservation: the endpoint is AVAILABLE again at once',
    request: { params: Id },
    responses: {
      200: { description: 'cancelled: the reservation', ...json(ReservationView) },
      404: { ...error, description: 'no such reservation, or another account’s (`not_found`)' },
      409: { ...error, description: 'the reservation is no longer active (`conflict`)' },
    },
  });
  router.delete('/v1/reservations/:id', auth('PLATFORM'), async (req, res) => {
    const { id } = Id.parse(req.params);
    NoBody.parse(req.body ?? {});
    res.json(await cancelReservation(deps, principalOf(req), id, operationId(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM'),
    method: 'post',
    path: '/v1/reservations/{id}/allocation',
    operationId: 'convertReservation',
    tags: ['endpoints'],
    summary: 'Convert an active reservation into an allocation of the same endpoint to the same account',
    request: { params: Id, body: body(Convert, false) },
    responses: {
      201: { description: 'allocated: the endpoint status (ALLOCATED) with the reservation, now converted', ...json(ConvertedReservationView) },
      404: { ...error, description: 'no such reservation, or another account’s (`not_found`)' },
      409: {
        ...error,
        description:
          'the reservation is no longer active (`conflict`); a country rule changed since it was made refuses the allocation (`address_required`, `kind_not_sold`, `account_cap_reached`: the reservation stays active); or the same Idempotency-Key still runs',
      },
    },
  });
  router.post('/v1/reservations/:id/allocation', auth('PLATFORM'), async (req, res) => {
    const { id } = Id.parse(req.params);
    res.status(201).json(convertedReservationView(await convertReservation(deps, principalOf(req), id, Convert.parse(req.body ?? {}), operationId(req))));
  });
  return router;
}
