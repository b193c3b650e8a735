// An operator confirms a release order's work item at a carrier without an
// API: the form was sent and the carrier took the numbers back. The order's
// workflow then retires (or returns) each number and closes the order.
import { findOrder } from '../db/orders';
import { actorOf, type Caller } from '../domain/access';
import { Conflict, NotFound } from '../domain/errors';
import type { OrderDeps } from './orders';

export async function confirmOrder(deps: OrderDeps, who: Caller, orderId: string, body: { note?: string }): Promise<{ status: 'confirmed'; orderId: string }> {
  const order = await findOrder(deps.db, orderId);
  if (!order) throw new NotFound(`no order ${orderId}`);
  if (order.direction !== 'RELEASE' || order.status !== 'AWAITING_OPERATOR') {
    throw new Conflict(`order ${orderId} is not waiting for an operator's confirmation (${order.direction} ${order.status})`);
  }
  try {
    await deps.temporal.order(orderId).confirm({ actor: actorOf(who), ...(body.note ? { note: body.note } : {}) });
  } catch (err) {
    if (err instanceof NotFound) throw new Conflict(`order ${orderId} is closed`);
    throw err;
  }
  return { status: 'confirmed', orderId };
}
