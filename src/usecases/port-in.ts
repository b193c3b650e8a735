// Porting a number in from another carrier for an account: it joins the
// repository as PORTING_IN, is tested, and is the account's (ALLOCATED) when
// the checks pass, REJECTED otherwise.
import { randomUUID } from 'node:crypto';
import { entryOperation, findByAddress } from '../db/endpoint-reads';
import { createPort, linkEndpoint, portByOperation, rejectPort } from '../db/ports';
import { actorOf, notAvailable, ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import type { Capability } from '../domain/endpoint';
import { Conflict } from '../domain/errors';
import { ingest, type IngestDeps } from './ingest';
import { portView, type PortView } from './ports';

export interface PortDeps extends IngestDeps {
  /** tells the inventory monitor the shelf changed (coalesced) */
  notify: () => void;
}

export interface PortInRequest {
  accountId: string;
  address: string;
  losingCarrier?: string;
  capabilities?: Capability[];
}

const CAPABILITIES = ['voice', 'sms', 'mms', 'fax'] as const;

/**
 * POST /v1/port-ins: a platform key, for its own accounts only. `operation`
 * names the request: a retry of it (the first attempt's answer lost, its API
 * process killed) finds the port request and the number its first attempt
 * wrote, starts the number's workflow if that attempt did not get to, and
 * answers as the first would have — never a second port request.
 */
export async function portIn(deps: PortDeps, who: Caller, body: PortInRequest, operation: string = randomUUID()): Promise<PortView> {
  ownAccount(who, body.accountId);
  const address = addressField(body.address);
  const existing = await findByAddress(deps.db, address);
  // a number already here is refused — unless this very request brought it in (its retry goes on below)
  const prior = existing ? await portByOperation(deps.db, operation) : null;
  if (existing && !(prior && (await entryOperation(deps.db, existing.id)) === `port-in:${prior.id}`)) {
    // how, only when the number is the account's own: anyone else's (or one on the shelf) is just not available
    throw new Conflict(existing.accountId === body.accountId ? `address: ${address} is already managed here (${existing.state})` : notAvailable(address));
  }
  const capable = body.capabilities && Object.fromEntries(CAPABILITIES.map((c) => [c, body.capabilities!.includes(c)]));
  const request = await createPort(deps.db, { direction: 'IN', address, accountId: body.accountId, losingCarrier: body.losingCarrier, operationId: operation });
  const entry = `port-in:${request.id}`;
  const result = await ingest(deps, [{ address, ...(capable ? { capable } : {}) }], {
    entry: 'port-in',
    accountId: body.accountId,
    actor: actorOf(who),
    operation: entry,
    resume: (op) => op === entry,
  });
  // new, or this request's own number: still at its entry (its workflow started now if it had none), or gone on since
  const joined = result.accepted[0]?.endpointId ?? result.resumed?.[0]?.endpointId ?? (existing && prior ? existing.id : undefined);
  if (!joined) {
    // managed here meanwhile (a concurrent port-in or delivery): whose, the request's record does not say
    const reason = result.rejected[0] ? `address: ${result.rejected[0].reason}` : notAvailable(address);
    await rejectPort(deps.db, request.id, reason);
    throw new Conflict(reason);
  }
  await linkEndpoint(deps.db, request.id, joined);
  deps.notify();
  return portView(deps.db, request.id);
}
