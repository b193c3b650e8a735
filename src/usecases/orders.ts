// Provider orders as operators read them: the newest, one with its lines and
// every delivered number, and the form for a carrier without an API (what an
// acquire order asks for, or the numbers a release order hands back).
import type { Db } from '../db/client';
import { findOrder, findOrderDetail, leavingFor, listOrders, type OrderDetail, type OrderStatus, type OrderWithLines } from '../db/orders';
import { getProvider } from '../db/providers';
import { orderFormCsv, orderFormHtml, releaseFormCsv, releaseFormHtml } from '../carriers/adapter';
import { handBackForm, orderForm } from '../domain/delivery';
import { NotFound } from '../domain/errors';
import type { TemporalGateway } from '../temporal/gateway';

export type { OrderDetail, OrderStatus, OrderWithLines };

export interface OrderDeps {
  db: Db;
  temporal: TemporalGateway;
}

/** Newest first, at most `limit` (the API: 200). */
export async function orders(deps: Pick<OrderDeps, 'db'>, q: { status?: OrderStatus; provider?: string; limit?: number }): Promise<OrderWithLines[]> {
  return listOrders(deps.db, { status: q.status, providerId: q.provider, limit: q.limit ?? 200 });
}

/** The order with its lines, deliveries and provider; NotFound when there is none. */
export async function orderDetail(deps: Pick<OrderDeps, 'db'>, id: string): Promise<OrderDetail> {
  const order = await findOrderDetail(deps.db, id);
  if (!order) throw new NotFound(`no order ${id}`);
  return order;
}

/** The order with its lines and deliveries, as GET /v1/orders/{id} answers it. */
export async function order(deps: Pick<OrderDeps, 'db'>, id: string): Promise<Omit<OrderDetail, 'provider'>> {
  const { provider: _p, ...rest } = await orderDetail(deps, id);
  return rest;
}

export async function form(deps: Pick<OrderDeps, 'db'>, id: string, format: 'csv' | 'html'): Promise<{ contentType: string; body: string }> {
  const o = await findOrder(deps.db, id);
  if (!o) throw new NotFound(`no order ${id}`);
  const providerName = (await getProvider(deps.db, o.providerId)).name;
  if (o.direction === 'RELEASE') {
    // the numbers handed back: those that left the shelf for this order
    const filled = handBackForm(o.id, providerName, await leavingFor(deps.db, o.id));
    return format === 'csv' ? { contentType: 'text/csv', body: releaseFormCsv(filled) } : { contentType: 'text/html', body: releaseFormHtml(filled) };
  }
  const filled = orderForm(o, providerName);
  return format === 'csv' ? { contentType: 'text/csv', body: orderFormCsv(filled) } : { contentType: 'text/html', body: orderFormHtml(filled) };
}
