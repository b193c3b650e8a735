// Porting a number in from another carrier for an account: it joins the
// repository as PORTING_IN, is tested, and is the account's (ALLOCATED) when
// the checks pass, REJECTED otherwise.
import { findByAddress } from '../db/endpoint-reads';
import { createPort, linkEndpoint, rejectPort } from '../db/ports';
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
 * POST /v1/port-ins: a platform key, for its own accounts only. A number
 * managed here already is refused; the refusal says how only when the number
 * is the account's own — anyone else's (or one on the shelf) is just
 * `address: <a> is not available`, nothing of its state or holder.
 */
export async function portIn(deps: PortDeps, who: Caller, body: PortInRequest): Promise<PortView> {
  ownAccount(who, body.accountId);
  const address = addressField(body.address);
  const existing = await findByAddress(deps.db, address);
  if (existing) {
    throw new Conflict(existing.accountId === body.accountId ? `address: ${address} is already managed here (${existing.state})` : notAvailable(address));
  }
  const capable = body.capabilities && Object.fromEntries(CAPABILITIES.map((c) => [c, body.capabilities!.includes(c)]));
  const request = await createPort(deps.db, { direction: 'IN', address, accountId: body.accountId, losingCarrier: body.losingCarrier });
  const result = await ingest(deps, [{ address, ...(capable ? { capable } : {}) }], {
    entry: 'port-in', accountId: body.accountId, actor: actorOf(who), operation: `port-in:${request.id}`,
  });
  const accepted = result.accepted[0];
  if (!accepted) {
    // managed here meanwhile (a concurrent port-in or delivery): whose, the request's record does not say
    const reason = result.rejected[0] ? `address: ${result.rejected[0].reason}` : notAvailable(address);
    await rejectPort(deps.db, request.id, reason);
    throw new Conflict(reason);
  }
  await linkEndpoint(deps.db, request.id, accepted.endpointId);
  deps.notify();
  return portView(deps.db, request.id);
}
