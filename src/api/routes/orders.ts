// Carriers' signed delivery webhooks, operators' entry of delivered numbers
// (carriers without an API), orders and their lines, and the call router's
// inbound-traffic feed for unallocated numbers. Webhooks are authenticated by
// their signatures; the rest by operator keys (traffic: platform keys too).
import { Router, type Request } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { errorResponse, jsonContent, secured, z } from '../openapi';
import { NotFound } from '../../domain/errors';
import { principalOf, Unauthorized } from '../middleware/auth';
import type { Db } from '../../db/client';
import { orderFormCsv, orderFormHtml } from '../../carriers/adapter';
import { verifyWebhook } from '../../carriers/webhook';
import { addressField } from '../input';
import type { TemporalGateway } from '../../temporal/gateway';
import type { Auth } from '../middleware/auth';
import { deliverySignal, endpointWorkflowId, inboundTrafficSignal, lateDeliveryWorkflowId, orderWorkflowId } from '../../../workflows/shared';

const Webhook = z
  .object({
    carrierOrderId: z.string().min(1).max(200),
    idempotencyKey: z.string().min(1).max(300),
    lines: z.array(z.object({ lineId: z.string().min(1).max(100), numbers: z.array(z.string().min(1).max(100)).max(10_000) })).max(1000),
    final: z.boolean(),
    sentAt: z.string().max(100).optional(),
  })
  .openapi('CarrierWebhook');
const OperatorEntry = z
  .object({ numbers: z.array(z.string().min(1).max(100)).min(1).max(10_000), final: z.boolean().default(false) })
  .strict()
  .openapi('OperatorDeliveryEntry');
const Traffic = z
  .object({ address: z.string().min(1).max(100), medium: z.enum(['voice', 'messaging']), count: z.number().int().min(1).max(10_000).default(1), from: z.string().max(100).optional() })
  .strict()
  .openapi('InboundTraffic');
const Id = z.object({ id: z.string().uuid() });
const ProviderParam = z.object({ providerId: z.string().min(1).max(100) });
const OrderQuery = z
  .object({ status: z.enum(['PENDING', 'SUBMITTED', 'AWAITING_OPERATOR', 'PARTIALLY_DELIVERED', 'DELIVERED', 'CANCELLED', 'FAILED']).optional(), provider: z.string().max(100).optional() })
  .strict();


export interface OrderDeps {
  db: Db;
  temporal: TemporalGateway;
  webhookToleranceSeconds: number;
  /** where a late delivery's workflow runs */
  taskQueue: string;
}

export function orderRoutes(deps: OrderDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const json = jsonContent;
  const error = errorResponse;

  const signal = async <T extends unknown[]>(workflowId: string, def: SignalDefinition<T>, ...args: T) => {
    const client = await deps.temporal.client();
    await client.workflow.getHandle(workflowId).signal(def, ...args);
  };


  registry.registerPath({
    method: 'post', path: '/v1/carriers/{providerId}/webhook', summary: "A carrier's signed delivery (HMAC-SHA256 over timestamp.body)",
    request: { params: ProviderParam, body: json(Webhook) },
    responses: { 202: { description: 'taken (or already taken: duplicate; late: the order had closed, its numbers are recorded RETURNED and handed back)', ...json(z.object({ status: z.enum(['accepted', 'duplicate', 'late']) })) }, 400: error, 401: error, 404: error },
  });
  router.post('/v1/carriers/:providerId/webhook', async (req, res) => {
    const { providerId } = ProviderParam.parse(req.params);
    const provider = await deps.db.provider.findUnique({ where: { id: providerId } });
    if (!provider?.webhookSecret) throw new NotFound(`no carrier ${providerId} that sends webhooks`);
    const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const verdict = verifyWebhook(provider.webhookSecret, req.headers, raw, { toleranceSeconds: deps.webhookToleranceSeconds });
    if (!verdict.ok) throw new Unauthorized(`webhook refused: ${verdict.reason}`);
    const body = Webhook.parse(req.body);
    const order = await deps.db.providerOrder.findUnique({ where: { idempotencyKey: body.idempotencyKey } });
    if (!order || order.providerId !== providerId) throw new NotFound(`idempotencyKey: no order of ${providerId} with this key`);
    // each signed webhook once: a replay inside the tolerance changes nothing
    const fresh = await deps.db.webhookReceipt.createMany({ data: [{ signature: req.get('x-carrier-signature')!, providerId }], skipDuplicates: true });
    if (fresh.count === 0) {
      res.status(202).json({ status: 'duplicate' });
      return;
    }
    const delivery = { source: 'carrier' as const, lines: body.lines, final: body.final };
    try {
      await signal(orderWorkflowId(order.id), deliverySignal, delivery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The order's workflow has closed (timed out, cancelled, filled): its
      // numbers are not dropped but recorded as RETURNED with the reason and
      // handed back to the carrier by a short workflow of their own.
      const client = await deps.temporal.client();
      await client.workflow.signalWithStart('providerOrderWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: lateDeliveryWorkflowId(order.id),
        args: [{ orderId: order.id, providerId, direction: 'LATE' }],
        signal: deliverySignal,
        signalArgs: [delivery],
      });
      res.status(202).json({ status: 'late' });
      return;
    }
    res.status(202).json({ status: 'accepted' });
  });

  registry.registerPath({ ...secured('OPERATOR'), method: 'get', path: '/v1/orders', summary: 'Provider orders, newest first', request: { query: OrderQuery }, responses: { 200: { description: 'orders', ...json(z.object({ orders: z.array(z.record(z.string(), z.unknown())) })) }, 400: error } });
  router.get('/v1/orders', auth('OPERATOR'), async (req, res) => {
    const q = OrderQuery.parse(req.query);
    const orders = await deps.db.providerOrder.findMany({
      where: { ...(q.status ? { status: q.status } : {}), ...(q.provider ? { providerId: q.provider } : {}) },
      include: { lines: true },
      orderBy: { requestedAt: 'desc' },
      take: 200,
    });
    res.json({ orders });
  });

  registry.registerPath({ ...secured('OPERATOR'), method: 'get', path: '/v1/orders/{id}', summary: 'An order with its lines and every delivered number with its outcome', request: { params: Id }, responses: { 200: { description: 'the order', ...json(z.record(z.string(), z.unknown())) }, 404: error } });
  router.get('/v1/orders/:id', auth('OPERATOR'), async (req, res) => {
    const { id } = Id.parse(req.params);
    const order = await deps.db.providerOrder.findUnique({ where: { id }, include: { lines: true, deliveries: { orderBy: { id: 'asc' } } } });
    if (!order) throw new NotFound(`no order ${id}`);
    res.json({ ...order, deliveries: order.deliveries.map((d) => ({ ...d, id: String(d.id) })) });
  });

  registry.registerPath({ ...secured('OPERATOR'), method: 'get', path: '/v1/orders/{id}/form.{format}', summary: 'The order form for a carrier without an API (csv, or html to print)', request: { params: z.object({ id: z.string().uuid(), format: z.enum(['csv', 'html']) }) }, responses: { 200: { description: 'the form' }, 404: error } });
  router.get('/v1/orders/:id/form.:format', auth('OPERATOR'), async (req, res) => {
    const { id, format } = z.object({ id: z.string().uuid(), format: z.enum(['csv', 'html']) }).parse(req.params);
    const order = await deps.db.providerOrder.findUnique({ where: { id }, include: { lines: true, provider: true } });
    if (!order) throw new NotFound(`no order ${id}`);
    const form = {
      orderId: order.id,
      idempotencyKey: order.idempotencyKey,
      providerName: order.provider.name,
      lines: order.lines.map((l) => ({ lineId: l.id, quantity: l.quantity, npa: l.npa, country: l.country?.trim() ?? null, kind: l.kind, capabilities: l.capabilities })),
    };
    if (format === 'csv') res.type('text/csv').send(orderFormCsv(form));
    else res.type('text/html').send(orderFormHtml(form));
  });

  registry.registerPath({
    ...secured('OPERATOR', 'CARRIER'),
    method: 'post', path: '/v1/orders/{id}/deliveries', summary: "Numbers delivered for an order: an operator's entry for a carrier without an API, or the carrier itself with a carrier key (its own orders only)",
    request: { params: Id, body: json(OperatorEntry) }, responses: { 202: { description: 'handed to the order' }, 400: error, 404: error },
  });
  router.post('/v1/orders/:id/deliveries', auth('OPERATOR', 'CARRIER'), async (req, res) => {
    const { id } = Id.parse(req.params);
    const body = OperatorEntry.parse(req.body);
    const who = principalOf(req);
    const order = await deps.db.providerOrder.findUnique({ where: { id } });
    // a carrier key speaks for its own orders only
    if (!order || (who.scope === 'CARRIER' && order.providerId !== who.providerId)) throw new NotFound(`no order ${id}`);
    try {
      await signal(orderWorkflowId(id), deliverySignal, { source: 'operator', numbers: body.numbers, final: body.final });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFound(`order ${id} is closed (${order.status})`);
      throw err;
    }
    res.status(202).json({ status: 'accepted', numbers: body.numbers.length });
  });

  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'),
    method: 'post', path: '/v1/traffic', summary: 'Inbound calls or messages the call router saw for an unallocated number (judged in quarantine)',
    request: { body: json(Traffic) }, responses: { 202: { description: 'passed to the endpoint' }, 400: error, 404: error },
  });
  router.post('/v1/traffic', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    const body = Traffic.parse(req.body);
    const address = addressField(body.address);
    try {
      await signal(endpointWorkflowId(address), inboundTrafficSignal, { medium: body.medium, count: body.count, from: body.from });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFound(`address: no managed endpoint ${address}`);
      throw err;
    }
    res.status(202).json({ status: 'accepted' });
  });

  return router;
}
