// Reads of single endpoints that use cases share (writes are src/db/endpoints.ts).
import type { Db } from './client';
import type { Endpoint } from './generated/client';

export type EndpointRow = Endpoint;

export async function findByAddress(db: Db, address: string): Promise<EndpointRow | null> {
  return db.endpoint.findUnique({ where: { address } });
}

/** The endpoint, if this account holds it (any state with the account on the row). */
export async function heldBy(db: Db, accountId: string, address: string): Promise<EndpointRow | null> {
  const row = await db.endpoint.findUnique({ where: { address } });
  return row && row.accountId === accountId ? row : null;
}
