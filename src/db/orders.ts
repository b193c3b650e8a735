// The one writer of `provider_orders`, `order_lines` and `delivered_numbers`:
// orders planned per monitor batch (idempotent: a retried plan finds the
// orders it made), re-routed remainders, submission and completion, a
// carrier's refusals of the order's steps, and the
// outcome of every delivered number with the line counters derived from them.
// Also the reads of endpoints an order needs (which offered numbers the
// repository holds, which endpoints a release order hands back).
import type { Db } from './client';
import { Prisma } from './generated/client';
import type { DeliveredNumber, EndpointKind, EndpointState, OrderDirection, OrderLine, OrderStatus, ProviderKind, ProviderOrder } from './generated/client';
import { activeProviderInfos } from './providers';
import type { Judged } from '../domain/delivery';
import { derivedUuid } from '../domain/ids';
import { OPEN_ORDER_STATUSES, stillExpected } from '../domain/inventory';
import type { ProviderInfo, ProviderOrderPlan } from '../domain/provider-selection';
import type { OrderRecord } from '../domain/reliability';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export type { OrderDirection, OrderStatus };
export type OrderRow = ProviderOrder;
export type OrderLineRow = OrderLine;
export type OrderWithLines = OrderRow & { lines: OrderLineRow[] };
/** a delivered number's outcome (its BigInt id as a string, as JSON carries it) */
export type DeliveryRow = Omit<DeliveredNumber, 'id'> & { id: string };
export type OrderDetail = OrderWithLines & { deliveries: DeliveryRow[]; provider: { name: string; kind: ProviderKind } };

export interface OrderProgress {
  requested: number;
  accepted: number;
  rejected: number;
  /** numbers still to accept */
  outstanding: number;
}

export interface PlannedOrder {
  orderId: string;
  providerId: string;
  direction: 'ACQUIRE' | 'RELEASE';
  total: number;
}

export interface NewOrderLine {
  groupingId: string | null;
  tags: string[];
  country?: string | null;
  npa?: string | null;
  kind?: string | null;
  capabilities?: string[];
  quantity: number;
  endpointIds?: string[];
}

export interface NewOrder {
  id: string;
  providerId: string;
  direction: OrderDirection;
  idempotencyKey: string;
  parentOrderId?: string;
  lines: NewOrderLine[];
}

// ------------------------------------------------------------------ reads

export async function findOrder(db: Db, id: string): Promise<OrderWithLines | null> {
  return db.providerOrder.findUnique({ where: { id }, include: { lines: true } });
}

/** An order a workflow or activity names (it exists). */
export async function getOrder(db: Db, id: string): Promise<OrderWithLines> {
  return db.providerOrder.findUniqueOrThrow({ where: { id }, include: { lines: true } });
}

export async function findOrderByKey(db: Db, idempotencyKey: string): Promise<OrderRow | null> {
  return db.providerOrder.findUnique({ where: { idempotencyKey } });
}

/** The order, its lines, every delivered number (in arrival order) and its provider. */
export async function findOrderDetail(db: Db, id: string): Promise<OrderDetail | null> {
  const order = await db.providerOrder.findUnique({
    where: { id },
    include: { lines: true, deliveries: { orderBy: { id: 'asc' } }, provider: { select: { name: true, kind: true } } },
  });
  return order && { ...order, deliveries: order.deliveries.map((d) => ({ ...d, id: String(d.id) })) };
}

/** Newest first. */
export async function listOrders(db: Db, q: { status?: OrderStatus; providerId?: string; limit: number }): Promise<OrderWithLines[]> {
  return db.providerOrder.findMany({
    where: { ...(q.status ? { status: q.status } : {}), ...(q.providerId ? { providerId: q.providerId } : {}) },
    include: { lines: true },
    orderBy: { requestedAt: 'desc' },
    take: q.limit,
  });
}

export async function orderProgress(db: Db, orderId: string): Promise<OrderProgress> {
  const lines = await db.orderLine.findMany({ where: { orderId } });
  const sum = (f: (l: OrderLineRow) => number) => lines.reduce((a, l) => a + f(l), 0);
  return { requested: sum((l) => l.quantity), accepted: sum((l) => l.accepted), rejected: sum((l) => l.rejected), outstanding: sum(stillExpected) };
}

/** Addresses already decided for this order (whatever the outcome). */
export async function decidedAddresses(db: Db, orderId: string): Promise<Set<string>> {
  return new Set((await db.deliveredNumber.findMany({ where: { orderId }, select: { address: true } })).map((d) => d.address));
}

/** The outcomes recorded for these addresses of an order. */
export async function deliveryOutcomes(db: Db, orderId: string, addresses: string[]): Promise<{ address: string; outcome: string; reason: string | null }[]> {
  return db.deliveredNumber.findMany({ where: { orderId, address: { in: addresses } }, select: { address: true, outcome: true, reason: true } });
}

/** The endpoints a release order was planned with, as they are now. */
export async function releaseOrderEndpoints(db: Db, order: OrderWithLines): Promise<{ address: string; state: EndpointState }[]> {
  const ids = order.lines.flatMap((l) => l.endpointIds);
  return db.endpoint.findMany({ where: { id: { in: ids } }, select: { address: true, state: true }, orderBy: { address: 'asc' } });
}

/** The id of the update by which a release order takes one endpoint off the shelf (recorded as its transition's operation). */
export const leaveShelfOperation = (orderId: string, address: string): string => `leave-shelf:${orderId}:${address}`;

export interface LeavingEndpoint {
  address: string;
  /** where it left from: AVAILABLE (released, then RETIRED) or REJECTED (returned, then RETURNED) */
  from: 'AVAILABLE' | 'REJECTED';
  state: EndpointState;
}

/**
 * The endpoints that left the shelf for this release order — their history
 * holds the transition to RELEASING made by the order's own update — and have
 * not gone anywhere else since. Only these are handed back to the carrier.
 */
export async function leavingFor(db: Db, orderId: string): Promise<LeavingEndpoint[]> {
  return db.$queryRaw<LeavingEndpoint[]>`
    SELECT e.address, h.from_state::text AS "from", e.state
      FROM order_lines l CROSS JOIN LATERAL unnest(l.endpoint_ids) AS x(id)
      JOIN endpoints e ON e.id = x.id::uuid
      JOIN endpoint_history h ON h.endpoint_id = e.id AND h.to_state = 'RELEASING'
                             AND h.operation = ${leaveShelfOperation(orderId, '')} || e.address
     WHERE l.order_id = ${orderId}::uuid AND e.state IN ('RELEASING', 'RETIRED', 'RETURNED')
     ORDER BY e.address`;
}

/** Providers this order's chain of re-routes has already tried (itself included). */
export async function providersTried(db: Db, order: OrderRow): Promise<Set<string>> {
  const tried = new Set<string>([order.providerId]);
  for (let parent = order.parentOrderId; parent;) {
    const p = await db.providerOrder.findUnique({ where: { id: parent }, select: { providerId: true, parentOrderId: true } });
    if (!p) break;
    tried.add(p.providerId);
    parent = p.parentOrderId;
  }
  return tried;
}

/** What a provider's finished acquire orders add up to (the input of its reliability). */
export async function orderRecord(db: Db, providerId: string): Promise<OrderRecord> {
  const [s] = await db.$queryRaw<OrderRecord[]>`
    SELECT count(DISTINCT po.id)::int AS orders, coalesce(sum(l.quantity), 0)::int AS requested,
           coalesce(sum(l.accepted), 0)::int AS accepted, coalesce(sum(l.rejected), 0)::int AS rejected,
           count(DISTINCT po.id) FILTER (WHERE po.status = 'FAILED')::int AS failed,
           avg(extract(epoch FROM po.completed_at - po.submitted_at)) FILTER (WHERE po.status = 'DELIVERED')::float8 AS lead
      FROM provider_orders po JOIN order_lines l ON l.order_id = po.id
     WHERE po.provider_id = ${providerId} AND po.direction = 'ACQUIRE'
       AND po.status::text <> ALL(${[...OPEN_ORDER_STATUSES]}::text[])`;
  return s ?? { orders: 0, requested: 0, accepted: 0, rejected: 0, failed: 0, lead: null };
}

// ----------------------------------------------------------------- writes

export async function createOrder(db: Db | Tx, o: NewOrder): Promise<void> {
  await db.providerOrder.create({
    data: {
      id: o.id,
      providerId: o.providerId,
      direction: o.direction,
      idempotencyKey: o.idempotencyKey,
      ...(o.parentOrderId ? { parentOrderId: o.parentOrderId } : {}),
      lines: {
        create: o.lines.map((l) => ({
          groupingId: l.groupingId,
          tags: l.tags,
          country: l.country,
          npa: l.npa,
          kind: (l.kind ?? null) as EndpointKind | null,
          capabilities: l.capabilities,
          quantity: l.quantity,
          endpointIds: l.endpointIds,
        })),
      },
    },
  });
}

/** Taken by the carrier's API (with its reference), or waiting for an operator to send the form (null). */
export async function markSubmitted(db: Db, id: string, carrierReference: string | null): Promise<void> {
  const data = carrierReference ? { status: 'SUBMITTED' as const, carrierReference } : { status: 'AWAITING_OPERATOR' as const };
  await db.providerOrder.update({ where: { id }, data: { ...data, submittedAt: new Date() } });
}

export async function finishOrder(db: Db, id: string, status: 'DELIVERED' | 'CANCELLED' | 'FAILED', reason: string | null): Promise<void> {
  await db.providerOrder.update({ where: { id }, data: { status, failureReason: reason, completedAt: new Date() } });
}

/**
 * Notes a carrier's final refusal (a 4xx) of one of the order's steps, once
 * however often the step is retried: operators read it on the order.
 */
export async function noteCarrierRefusal(db: Db, id: string, note: string): Promise<void> {
  await db.$executeRaw`
    UPDATE provider_orders SET carrier_refusals = array_append(carrier_refusals, ${note}), updated_at = now()
     WHERE id = ${id}::uuid AND NOT (${note} = ANY(carrier_refusals))`;
}

/**
 * Records each number's outcome (once: a number already recorded for the
 * order stays as it was), recounts the lines from the recorded outcomes
 * (exact whatever was retried), and marks an order that has some but not all
 * of its numbers partially delivered.
 */
export async function recordDeliveries(db: Db, orderId: string, outcomes: Judged[]): Promise<OrderProgress> {
  await db.deliveredNumber.createMany({
    data: outcomes.map((o) => ({ orderId, lineId: o.lineId, address: o.address, outcome: o.outcome, reason: o.reason })),
    skipDuplicates: true,
  });
  await db.$executeRaw`
    UPDATE order_lines l SET
      delivered = (SELECT count(*) FROM delivered_numbers d WHERE d.line_id = l.id)::int,
      accepted = (SELECT count(*) FROM delivered_numbers d WHERE d.line_id = l.id AND d.outcome = 'ACCEPTED')::int,
      rejected = (SELECT count(*) FROM delivered_numbers d WHERE d.line_id = l.id AND d.outcome <> 'ACCEPTED')::int
     WHERE l.order_id = ${orderId}::uuid`;
  const progress = await orderProgress(db, orderId);
  if (progress.accepted > 0 && progress.outstanding > 0) {
    await db.providerOrder.updateMany({
      where: { id: orderId, status: { in: ['SUBMITTED', 'AWAITING_OPERATOR', 'PENDING'] } },
      data: { status: 'PARTIALLY_DELIVERED' },
    });
  }
  return progress;
}

// ------------------------------------------------- planning per monitor batch

const batchKey = (batchId: string, direction: OrderDirection, providerId: string) => `batch:${batchId}:${direction}:${providerId}`;

/** The orders a batch made already (a retried plan answers them again), or null. */
async function madeBefore(tx: Tx, batchId: string, direction: OrderDirection): Promise<PlannedOrder[] | null> {
  const made = await tx.providerOrder.findMany({ where: { idempotencyKey: { startsWith: `batch:${batchId}:${direction}:` } }, include: { lines: true } });
  if (!made.length) return null;
  const total = (l: OrderLineRow) => (direction === 'ACQUIRE' ? l.quantity : l.endpointIds.length);
  return made.map((o) => ({ orderId: o.id, providerId: o.providerId, direction, total: o.lines.reduce((a, l) => a + total(l), 0) }));
}

/**
 * One acquire order per provider `assign` picks, in one transaction with the
 * providers it chose from (active ones, with what each was already asked for
 * in its quota period). The order id is derived from batch and provider.
 */
export async function planAcquireBatch(db: Db, batchId: string, assign: (providers: ProviderInfo[]) => ProviderOrderPlan[]): Promise<PlannedOrder[]> {
  return db.$transaction(async (tx) => {
    const made = await madeBefore(tx, batchId, 'ACQUIRE');
    if (made) return made;
    const used = await tx.$queryRaw<{ providerId: string; n: number }[]>`
      SELECT po.provider_id AS "providerId", coalesce(sum(l.quantity), 0)::int AS n
        FROM provider_orders po JOIN providers p ON p.id = po.provider_id JOIN order_lines l ON l.order_id = po.id
       WHERE po.direction = 'ACQUIRE' AND po.status NOT IN ('CANCELLED', 'FAILED')
         AND po.requested_at >= now() - make_interval(days => p.quota_period_days)
       GROUP BY 1`;
    const plans = assign(await activeProviderInfos(tx, { orderedInPeriod: new Map(used.map((u) => [u.providerId, u.n])) }));
    const planned: PlannedOrder[] = [];
    for (const plan of plans) {
      const orderId = derivedUuid(batchId, 'ACQUIRE', plan.providerId);
      await createOrder(tx, {
        id: orderId,
        providerId: plan.providerId,
        direction: 'ACQUIRE',
        idempotencyKey: batchKey(batchId, 'ACQUIRE', plan.providerId),
        lines: plan.lines,
      });
      planned.push({ orderId, providerId: plan.providerId, direction: 'ACQUIRE', total: plan.total });
    }
    return planned;
  });
}

/** Not already in an open release order (`e` is the endpoint). */
const notOnRelease = Prisma.sql`NOT EXISTS (
             SELECT 1 FROM order_lines l JOIN provider_orders po ON po.id = l.order_id
              WHERE po.direction = 'RELEASE' AND po.status::text = ANY(${[...OPEN_ORDER_STATUSES]}::text[])
                AND e.id::text = ANY(l.endpoint_ids))`;

/**
 * A REJECTED endpoint (`e`) with a carrier to go back to, in no open release
 * order and in none made since it became REJECTED: one that a release order
 * could not take (its workflow disagrees: drift) is not asked for again and
 * again; reconciliation's repair makes it eligible once more.
 */
const rejectedToGo = Prisma.sql`e.state = 'REJECTED' AND e.provider_id IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM order_lines l JOIN provider_orders po ON po.id = l.order_id
              WHERE po.direction = 'RELEASE' AND e.id::text = ANY(l.endpoint_ids)
                AND (po.status::text = ANY(${[...OPEN_ORDER_STATUSES]}::text[]) OR po.requested_at >= e.state_changed_at))`;

/** How many REJECTED numbers wait to go back to their carriers (the monitor's pass asks for their return). */
export async function rejectedToReturn(db: Db): Promise<number> {
  const [r] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM endpoints e WHERE ${rejectedToGo}`;
  return r?.n ?? 0;
}

/**
 * One release order per provider of the endpoints picked for the requests:
 * AVAILABLE ones with the request's tags that no open release order holds,
 * the least valuable first (lowest quality, then highest running cost); for a
 * request of REJECTED numbers (`rejected`), those with a carrier to go back
 * to, the longest rejected first, on lines of no grouping.
 */
export async function planReleaseBatch(
  db: Db,
  batchId: string,
  requests: { groupingId: string; tags: string[]; quantity: number; rejected?: boolean }[],
): Promise<PlannedOrder[]> {
  return db.$transaction(async (tx) => {
    const made = await madeBefore(tx, batchId, 'RELEASE');
    if (made) return made;
    const byProvider = new Map<string, { groupingId: string | null; endpointIds: string[] }[]>();
    for (const r of requests) {
      const picked = r.rejected
        ? await tx.$queryRaw<{ id: string; providerId: string }[]>`
        SELECT e.id::text, e.provider_id AS "providerId" FROM endpoints e
         WHERE ${rejectedToGo} AND e.classifier_tags @> ${r.tags}::text[]
         ORDER BY e.state_changed_at, e.address
         LIMIT ${r.quantity}`
        : await tx.$queryRaw<{ id: string; providerId: string }[]>`
        SELECT e.id::text, e.provider_id AS "providerId" FROM endpoints e
         WHERE e.state = 'AVAILABLE' AND e.classifier_tags @> ${r.tags}::text[] AND e.provider_id IS NOT NULL AND ${notOnRelease}
         ORDER BY e.quality_score ASC NULLS FIRST, e.monthly_cost_cents DESC, e.address
         LIMIT ${r.quantity}`;
      const groups = new Map<string, string[]>();
      for (const p of picked) groups.set(p.providerId, [...(groups.get(p.providerId) ?? []), p.id]);
      const groupingId = r.rejected ? null : r.groupingId;
      for (const [providerId, endpointIds] of groups) byProvider.set(providerId, [...(byProvider.get(providerId) ?? []), { groupingId, endpointIds }]);
    }
    const planned: PlannedOrder[] = [];
    for (const [providerId, lines] of [...byProvider].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const orderId = derivedUuid(batchId, 'RELEASE', providerId);
      await createOrder(tx, {
        id: orderId,
        providerId,
        direction: 'RELEASE',
        idempotencyKey: batchKey(batchId, 'RELEASE', providerId),
        lines: lines.map((l) => ({ groupingId: l.groupingId, quantity: l.endpointIds.length, endpointIds: l.endpointIds, tags: [] })),
      });
      planned.push({ orderId, providerId, direction: 'RELEASE', total: lines.reduce((a, l) => a + l.endpointIds.length, 0) });
    }
    return planned;
  });
}
