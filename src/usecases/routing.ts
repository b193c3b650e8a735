// Routing lookup for the call router: address → where its traffic goes. One
// indexed read on the hot path; nothing else. Operator keys see every routed
// endpoint, platform keys their own accounts' (another's is a 404).
import type { Db } from '../db/client';
import { routeOf, type RouteRow } from '../db/endpoint-reads';
import type { Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { NotFound } from '../domain/errors';

export interface RoutingDeps {
  db: Db;
}

export type Route = { address: string } & RouteRow;

export async function routing(deps: RoutingDeps, who: Caller, input: string): Promise<Route> {
  const address = addressField(input);
  const row = await routeOf(deps.db, address);
  if (!row || (who.scope !== 'OPERATOR' && !who.accountIds.includes(row.accountId))) throw new NotFound(`address: ${address} is not routed (not allocated)`);
  return { address, accountId: row.accountId, applicationUri: row.applicationUri, state: row.state };
}
