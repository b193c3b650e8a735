// Numbers delivered for an order, entered by an operator (a carrier without an
// API) or sent by the carrier itself with a carrier key: handed to the order's
// workflow, which verifies each one.
import { findOrder } from '../db/orders';
import type { Caller } from '../domain/access';
import { NotFound } from '../domain/errors';
import type { OrderDeps } from './orders';

export async function operatorDelivery(
  deps: OrderDeps,
  who: Caller,
  orderId: string,
  entry: { numbers: string[]; final: boolean; places?: { number: string; rateCenter?: string; lata?: string }[] },
): Promise<{ status: 'accepted'; numbers: number }> {
  const order = await findOrder(deps.db, orderId);
  // a carrier key speaks for its own orders only
  if (!order || (who.scope === 'CARRIER' && order.providerId !== who.providerId)) throw new NotFound(`no order ${orderId}`);
  try {
    await deps.temporal
      .order(orderId)
      .deliver({ source: 'operator', numbers: entry.numbers, ...(entry.places?.length ? { places: entry.places } : {}), final: entry.final });
  } catch (err) {
    if (err instanceof NotFound) throw new NotFound(`order ${orderId} is closed (${order.status})`);
    throw err;
  }
  return { status: 'accepted', numbers: entry.numbers.length };
}
