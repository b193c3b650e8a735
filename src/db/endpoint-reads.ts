// Reads of single endpoints that use cases share (writes are src/db/endpoints.ts).
import type { Db } from './client';
import type { Endpoint, EndpointHistory } from './generated/client';

export type EndpointRow = Endpoint;

export async function findByAddress(db: Db, address: string): Promise<EndpointRow | null> {
  return db.endpoint.findUnique({ where: { address } });
}

/** The endpoint, if this account holds it (any state with the account on the row). */
export async function heldBy(db: Db, accountId: string, address: string): Promise<EndpointRow | null> {
  const row = await db.endpoint.findUnique({ where: { address } });
  return row && row.accountId === accountId ? row : null;
}

/** The operation that brought an endpoint into the repository (its first history row's), if recorded. */
export async function entryOperation(db: Db, endpointId: string): Promise<string | null> {
  const first = await db.endpointHistory.findFirst({ where: { endpointId }, orderBy: { version: 'asc' }, select: { operation: true } });
  return first?.operation ?? null;
}

export type HistoryRow = EndpointHistory;

/**
 * Whether `operation` (a workflow update's id) changed this endpoint — read
 * from the history rows its transitions recorded. A retry that finds the
 * endpoint moved on tells its own earlier, applied attempt from another's this way.
 */
export async function changedBy(db: Db, address: string, operation: string): Promise<boolean> {
  const [row] = await db.$queryRaw<{ found: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id
                    WHERE e.address = ${address} AND h.operation = ${operation}) AS found`;
  return row?.found === true;
}

/**
 * The endpoint an allocate update (`<operation>:allocate`) made ALLOCATED, if
 * any: one at most (a partial unique index, migration
 * 20261204000000_one_allocation_per_operation).
 */
export async function allocatedBy(db: Db, updateId: string): Promise<string | undefined> {
  const [row] = await db.$queryRaw<{ address: string }[]>`
    SELECT e.address FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id
     WHERE h.operation = ${updateId} AND h.to_state = 'ALLOCATED' AND h.operation LIKE '%:allocate'`;
  return row?.address;
}

/** The endpoint with its full history, oldest first (insight). */
export async function withHistory(db: Db, address: string): Promise<(EndpointRow & { history: HistoryRow[] }) | null> {
  return db.endpoint.findUnique({ where: { address }, include: { history: { orderBy: { version: 'asc' } } } });
}

/** Where an endpoint's traffic goes: only while an account holds it. */
export interface RouteRow {
  endpointId: string;
  accountId: string;
  applicationUri: string | null;
  state: 'ALLOCATED' | 'PORTING_OUT';
}

/** The call router's lookup: one indexed read on the hot path, nothing else. */
export async function routeOf(db: Db, address: string): Promise<RouteRow | null> {
  // an endpoint being ported out still carries its holder's traffic until it is gone
  const [row] = await db.$queryRaw<RouteRow[]>`
    SELECT id::text AS "endpointId", account_id AS "accountId", application_uri AS "applicationUri", state::text AS state FROM endpoints
     WHERE address = ${address} AND state IN ('ALLOCATED', 'PORTING_OUT') AND account_id IS NOT NULL`;
  return row ?? null;
}

/** The ones of `addresses` that are endpoints here, with the order each came from. */
export async function knownEndpoints(db: Db, addresses: string[]): Promise<Map<string, string | null>> {
  const rows = await db.endpoint.findMany({ where: { address: { in: addresses } }, select: { address: true, orderId: true } });
  return new Map(rows.map((e) => [e.address, e.orderId]));
}

/** An endpoint's history rows from `version` on (at most `limit`), oldest first: what became of one reservation. */
export async function historyFrom(
  db: Db,
  address: string,
  version: number,
  limit = 50,
): Promise<{ endpointId: string; version: number; fromState: string | null; toState: string; cause: string; accountId: string | null; at: Date }[]> {
  return db.$queryRaw`
    SELECT h.endpoint_id::text AS "endpointId", h.version, h.from_state::text AS "fromState", h.to_state::text AS "toState", h.cause,
           h.account_id AS "accountId", h.at
      FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id
     WHERE e.address = ${address} AND h.version >= ${version}
     ORDER BY h.version LIMIT ${limit}`;
}

/** The ones of `addresses` that are endpoints of this carrier. */
export async function carrierEndpoints(db: Db, providerId: string, addresses: string[]): Promise<string[]> {
  const rows = await db.endpoint.findMany({ where: { providerId, address: { in: addresses } }, select: { address: true } });
  return rows.map((r) => r.address);
}
