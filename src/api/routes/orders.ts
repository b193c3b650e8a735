// Provider orders (src/usecases/orders.ts) and the entry of delivered numbers
// (src/usecases/operator-delivery.ts): operators' keys; a carrier key may
// deliver for its own orders. Carriers' signed webhooks: routes/carriers.ts.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { OrderDetailView, OrderView, orderDetailView, orderView } from '../schemas/views';
import { deliveredPlaces } from '../schemas/places';
import { principalOf, type Auth } from '../middleware/auth';
import { form, order, orders, type OrderDeps } from '../../usecases/orders';
import { operatorDelivery } from '../../usecases/operator-delivery';
import { confirmOrder } from '../../usecases/confirm-order';

const OperatorEntry = z
  .object({
    numbers: z.array(z.string().min(1).max(100)).min(1).max(10_000),
    final: z.boolean().default(false),
    // what the carrier's paperwork says of each number's place (NANP rate center and LATA), where it does
    places: deliveredPlaces(10_000),
  })
  .strict()
  .openapi('OperatorDeliveryEntry');
const Confirmation = z
  .object({ note: z.string().min(1).max(500).optional() })
  .strict()
  .openapi('OrderConfirmation');
const orderId = z.string().uuid().openapi({ description: "the order's id (a UUID)" });
const Id = z.object({ id: orderId });
const FormParams = z.object({ id: orderId, format: z.enum(['csv', 'html']).openapi({ description: '`csv` to send, `html` to print' }) });
const OrderQuery = z
  .object({
    status: z
      .enum(['PENDING', 'SUBMITTED', 'AWAITING_OPERATOR', 'PARTIALLY_DELIVERED', 'DELIVERED', 'CANCELLED', 'FAILED'])
      .optional()
      .openapi({ description: 'only orders in this status' }),
    provider: z.string().max(100).optional().openapi({ description: "only this provider's orders (its id)" }),
  })
  .strict();

export function orderRoutes(deps: OrderDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/orders',
    operationId: 'listOrders',
    tags: ['carriers'],
    summary: 'Provider orders, newest first (at most 200)',
    request: { query: OrderQuery },
    responses: { 200: { description: 'orders', ...json(z.object({ orders: z.array(OrderView) }).strict()) }, 400: error },
  });
  router.get('/v1/orders', auth('OPERATOR'), async (req, res) => {
    res.json({ orders: (await orders(deps, OrderQuery.parse(req.query))).map(orderView) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/orders/{id}',
    operationId: 'getOrder',
    tags: ['carriers'],
    summary: 'An order with its lines and every delivered number with its outcome',
    request: { params: Id },
    responses: { 200: { description: 'the order', ...json(OrderDetailView) }, 404: { ...error, description: 'no such order (`not_found`)' } },
  });
  router.get('/v1/orders/:id', auth('OPERATOR'), async (req, res) => {
    res.json(orderDetailView(await order(deps, Id.parse(req.params).id)));
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/orders/{id}/form.{format}',
    operationId: 'getOrderForm',
    tags: ['carriers'],
    summary: 'The order form for a carrier without an API (csv, or html to print)',
    request: { params: FormParams },
    responses: {
      200: { description: 'the form', content: { 'text/csv': { schema: z.string() }, 'text/html': { schema: z.string() } } },
      404: { ...error, description: 'no such order (`not_found`)' },
    },
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
    operationId: 'createDelivery',
    tags: ['carriers'],
    summary: "Numbers delivered for an order: an operator's entry for a carrier without an API, or the carrier itself with a carrier key (its own orders only)",
    request: { params: Id, body: body(OperatorEntry) },
    responses: {
      202: { description: 'handed to the order', ...json(z.object({ status: z.literal('accepted'), numbers: z.number().int() }).strict()) },
      404: { ...error, description: "unknown order, another carrier's, or closed (`not_found`)" },
    },
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
    operationId: 'createConfirmation',
    tags: ['carriers'],
    summary:
      "An operator's confirmation that a release order's numbers were handed back to a carrier without an API (its form sent, the carrier took them); the order then retires or returns each number",
    request: { params: Id, body: body(Confirmation, false) },
    responses: {
      202: { description: 'handed to the order', ...json(z.object({ status: z.literal('confirmed'), orderId: z.string() }).strict()) },
      404: { ...error, description: 'unknown order (`not_found`)' },
      409: { ...error, description: 'not a release order AWAITING_OPERATOR (`conflict`), or the same Idempotency-Key still runs' },
    },
  });
  router.post('/v1/orders/:id/confirmations', auth('OPERATOR'), async (req, res) => {
    const { id } = Id.parse(req.params);
    const body = Confirmation.parse(req.body ?? {});
    res.status(202).json(await confirmOrder(deps, principalOf(req), id, body));
  });

  return router;
}
