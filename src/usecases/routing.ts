// Routing lookup for the call router: address → where its traffic goes. One
// indexed read on the hot path; nothing else. Router and operator keys see
// every routed endpoint; any other caller only its own accounts' (another's is
// a 404) — the route takes router and operator keys only.
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
  const seesAll = who.scope === 'ROUTER' || who.scope === 'OPERATOR';
  if (!row || (!seesAll && !who.accountIds.includes(row.accountId))) throw new NotFound(`address: ${address} is not routed (not allocated)`);
  return { address, accountId: row.accountId, applicationUri: row.applicationUri, state: row.state };
}
