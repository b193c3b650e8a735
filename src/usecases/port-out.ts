// Porting an account's endpoint out to another carrier: its workflow keeps it
// routing until the port completes (PORT_OUT_DURATION), then it is gone.
import type { Db } from '../db/client';
import { changedBy, findByAddress, heldBy } from '../db/endpoint-reads';
import { createPort, portByOperation } from '../db/ports';
import type { TemporalGateway } from '../temporal/gateway';
import { actorOf, ownAccount, type Caller } from '../domain/access';
import { refusalSeenBy } from './allocate';
import { addressField } from '../domain/address';
import { NotFound } from '../domain/errors';
import { portView, type PortView } from './ports';

export interface PortOutDeps {
  db: Db;
  temporal: TemporalGateway;
  notify: () => void;
}

export interface PortOutRequest {
  accountId: string;
  address: string;
  gainingCarrier?: string;
}

/**
 * POST /v1/port-outs: a platform key, for its own accounts only; `operation`
 * names the request (its retry is the same update). A retry whose first
 * attempt got through and lost its answer (its API process killed) answers
 * as the first would have, even once the port completed and the number is no
 * longer the account's: the first attempt's port request, or — when that
 * attempt got only as far as the workflow update (its history names the
 * operation) — the port request written now, once.
 */
export async function portOut(deps: PortOutDeps, who: Caller, body: PortOutRequest, operation: string): Promise<PortView> {
  ownAccount(who, body.accountId);
  const address = addressField(body.address);
  const updateId = `${operation}:port-out`;
  const prior = await portByOperation(deps.db, operation);
  if (prior && prior.direction === 'OUT' && prior.address === address && prior.accountId === body.accountId) return portView(deps.db, prior.id);
  let row = await heldBy(deps.db, body.accountId, address);
  if (row) {
    await deps.temporal
      .endpoint(address)
      .portOut({ accountId: body.accountId, actor: actorOf(who) }, updateId)
      .catch(async (err: unknown) => {
        // it moved on since the row was read (released, another's): no word of whose it is now
        throw await refusalSeenBy(deps.db, address, body.accountId, err);
      });
  } else {
    // not held (any more): only this very request's own port-out, done by its first attempt, goes on
    row = (await changedBy(deps.db, address, updateId)) ? await findByAddress(deps.db, address) : null;
    if (!row) throw new NotFound(`address: no endpoint ${address} held by account ${body.accountId}`);
  }
  // once per operation: a retry whose first attempt wrote the request (and lost its answer) finds that one
  const request = await createPort(deps.db, {
    direction: 'OUT',
    address,
    accountId: body.accountId,
    gainingCarrier: body.gainingCarrier,
    endpointId: row.id,
    operationId: operation,
  });
  deps.notify();
  return portView(deps.db, request.id);
}
