// Read-only checks of what the repository holds, for the fault suite's
// invariants (scripts/faults.ts): acknowledged allocations still held, every
// history one unbroken chain, delivered numbers and orders accounted for.
import type { Db } from './client';
import type { EndpointStateName } from '../domain/endpoint';
import { OPEN_ORDER_STATUSES } from '../domain/inventory';

export async function countInStates(db: Db, states: EndpointStateName[]): Promise<number> {
  return db.endpoint.count({ where: { state: { in: states } } });
}

export async function openOrderCount(db: Db): Promise<number> {
  return db.providerOrder.count({ where: { status: { in: [...OPEN_ORDER_STATUSES] } } });
}

/** These addresses' rows: state and holder. */
export async function holdings(db: Db, addresses: string[]): Promise<{ address: string; state: EndpointStateName; accountId: string | null }[]> {
  return db.endpoint.findMany({ where: { address: { in: addresses } }, select: { address: true, state: true, accountId: true } });
}

/** Endpoints allocated to these accounts other than the given addresses. */
export async function allocatedBesides(
  db: Db,
  accountIds: string[],
  addresses: string[],
): Promise<{ address: string; accountId: string | null; stateChangedAt: Date }[]> {
  return db.endpoint.findMany({
    where: { state: 'ALLOCATED', accountId: { in: accountIds }, address: { notIn: addresses } },
    select: { address: true, accountId: true, stateChangedAt: true },
  });
}

export interface HistoryBreak {
  address: string;
  version: number;
  from_state: string | null;
  prev: string | null;
  step: number | null;
}

/** History rows that do not follow their predecessor: a version skipped or repeated, or a from-state that was not the last to-state. */
export async function historyBreaks(db: Db): Promise<HistoryBreak[]> {
  return db.$queryRaw<HistoryBreak[]>`
    SELECT address, version, from_state, prev, step FROM (
      SELECT e.address, h.version, h.from_state::text AS from_state,
             lag(h.to_state::text) OVER w AS prev, (h.version - lag(h.version) OVER w)::int AS step
        FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id
      WINDOW w AS (PARTITION BY h.endpoint_id ORDER BY h.version)) x
     WHERE step IS NOT NULL AND (step <> 1 OR prev IS DISTINCT FROM from_state)`;
}

/** Endpoints whose version is not their last history row's: a transition written without its history, or the reverse. */
export async function versionsOffHistory(db: Db): Promise<{ address: string }[]> {
  return db.$queryRaw<{ address: string }[]>`
    SELECT e.address FROM endpoints e WHERE e.version <> (SELECT max(version) FROM endpoint_history h WHERE h.endpoint_id = e.id)`;
}

/** Every number delivered for any order, with its outcome. */
export async function deliveredNumbers(db: Db): Promise<{ address: string; outcome: string; reason: string | null; orderId: string }[]> {
  return db.deliveredNumber.findMany({ select: { address: true, outcome: true, reason: true, orderId: true } });
}

export async function acquireOrders(db: Db): Promise<{ idempotencyKey: string; providerId: string; carrierReference: string | null; status: string }[]> {
  return db.providerOrder.findMany({
    where: { direction: 'ACQUIRE' },
    select: { idempotencyKey: true, providerId: true, carrierReference: true, status: true },
  });
}

export async function ordersByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.providerOrder.groupBy({ by: ['status'], _count: { _all: true } });
  return Object.fromEntries(rows.map((o) => [o.status, o._count._all]));
}
