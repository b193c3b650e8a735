// Routing lookup for the call router: address → where its traffic goes. One
// indexed read on the hot path; nothing else. Router and operator keys see
// every routed endpoint; any other caller only its own accounts' (another's is
// a 404) — the route takes router and operator keys only.
import type { Db } from '../db/client';
import { routeOf, type RouteRow } from '../db/endpoint-reads';
import type { Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { NotFound } from '../domain/errors';
import type { UsageRecorder } from './usage';

export interface RoutingDeps {
  db: Db;
  /** counts each lookup of an allocated endpoint in memory (flushed periodically) */
  usage?: UsageRecorder;
}

export type Route = { address: string } & Omit<RouteRow, 'endpointId'>;

export async function routing(deps: RoutingDeps, who: Caller, input: string): Promise<Route> {
  const address = addressField(input);
  const row = await routeOf(deps.db, address);
  const seesAll = who.scope === 'ROUTER' || who.scope === 'OPERATOR';
  if (!row || (!seesAll && !who.accountIds.includes(row.accountId))) throw new NotFound(`address: ${address} is not routed (not allocated)`);
  deps.usage?.note(row.endpointId, row.accountId, 'lookup');
  return { address, accountId: row.accountId, applicationUri: row.applicationUri, state: row.state };
}
