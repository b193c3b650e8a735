// Provider orders (src/usecases/orders.ts) and the entry of delivered numbers
// (src/usecases/operator-delivery.ts): operators' keys; a carrier key may
// deliver for its own orders. Carriers' signed webhooks: routes/carriers.ts.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { form, order, orders, type OrderDeps } from '../../usecases/orders';
import { operatorDelivery } from '../../usecases/operator-delivery';
import { confirmOrder } from '../../usecases/confirm-order';

const OperatorEntry = z
  .object({
    numbers: z.array(z.string().min(1).max(100)).min(1).max(10_000),
    final: z.boolean().default(false),
    // what the carrier's paperwork says of each number's place (NANP rate center and LATA), where it does
    places: z
      .array(
        z.object({
          number: z.string().min(1).max(100),
          rateCenter: z.string().min(1).max(50).optional(),
          lata: z
            .string()
            .regex(/^\d{3,5}$/, '3-5 digits')
            .optional(),
        }),
      )
      .max(10_000)
      .optional(),
  })
  .strict()
  .openapi('OperatorDeliveryEntry');
const Confirmation = z
  .object({ note: z.string().min(1).max(500).optional() })
  .strict()
  .openapi('OrderConfirmation');
const Id = z.object({ id: z.string().uuid() });
const FormParams = z.object({ id: z.string().uuid(), format: z.enum(['csv', 'html']) });
const OrderQuery = z
  .object({
    status: z.enum(['PENDING', 'SUBMITTED', 'AWAITING_OPERATOR', 'PARTIALLY_DELIVERED', 'DELIVERED', 'CANCELLED', 'FAILED']).optional(),
    provider: z.string().max(100).optional(),
  })
  .strict();

export function orderRoutes(deps: OrderDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/orders',
    summary: 'Provider orders, newest first',
    request: { query: OrderQuery },
    responses: { 200: { description: 'orders', ...json(z.object({ orders: z.array(z.record(z.string(), z.unknown())) })) }, 400: error },
  });
  router.get('/v1/orders', auth('OPERATOR'), async (req, res) => {
    res.json({ orders: await orders(deps, OrderQuery.parse(req.query)) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/orders/{id}',
    summary: 'An order with its lines and every delivered number with its outcome',
    request: { params: Id },
    responses: { 200: { description: 'the order', ...json(z.record(z.string(), z.unknown())) }, 404: error },
  });
  router.get('/v1/orders/:id', auth('OPERATOR'), async (req, res) => {
    res.json(await order(deps, Id.parse(req.params).id));
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/orders/{id}/form.{format}',
    summary: 'The order form for a carrier without an API (csv, or html to print)',
    request: { params: FormParams },
    responses: { 200: { description: 'the form' }, 404: error },
  });
  router.get('/v1/orders/:id/form.:format', auth('OPERATOR'), async (req, res) => {
    const { id, format } = FormParams.parse(req.params);
    const filled = await form(deps, id, format);
    res.type(filled.contentType).send(filled.body);
  });

  registry.registerPath({
    ...secured('OPERATOR', 'CARRIER'),
    method: 'post',
    path: '/v1/orders/{id}/deliveries',
    summary: "Numbers delivered for an order: an operator's entry for a carrier without an API, or the carrier itself with a carrier key (its own orders only)",
    request: { params: Id, body: json(OperatorEntry) },
    responses: { 202: { description: 'handed to the order' }, 400: error, 404: error },
  });
  router.post('/v1/orders/:id/deliveries', auth('OPERATOR', 'CARRIER'), async (req, res) => {
    const { id } = Id.parse(req.params);
    const body = OperatorEntry.parse(req.body);
    res.status(202).json(await operatorDelivery(deps, principalOf(req), id, body));
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post',
    path: '/v1/orders/{id}/confirmations',
    summary:
      "An operator's confirmation that a release order's numbers were handed back to a carrier without an API (its form sent, the carrier took them); the order then retires or returns each number",
    request: { params: Id, body: json(Confirmation) },
    responses: { 202: { description: 'handed to the order' }, 400: error, 404: error, 409: error },
  });
  router.post('/v1/orders/:id/confirmations', auth('OPERATOR'), async (req, res) => {
    const { id } = Id.parse(req.params);
    const body = Confirmation.parse(req.body ?? {});
    res.status(202).json(await confirmOrder(deps, principalOf(req), id, body));
  });

  return router;
}
