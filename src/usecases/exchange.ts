// Exchanging an account's endpoint for another: a given address, criteria, or
// by default the same area code and capabilities. The new one is allocated
// with the old one's application URI, then the old one is released; if the
// release fails, the new one is given back.
import { heldBy } from '../db/endpoint-reads';
import { actorOf, ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import type { Criteria } from '../domain/criteria';
import { BadRequest, Conflict, NotFound } from '../domain/errors';
import { allocator, type EndpointStatus, type HoldingDeps } from './allocate';

export interface ExchangeRequest {
  accountId: string;
  address: string;
  newAddress?: string;
  criteria?: Criteria;
}

const CAPABILITIES = ['voice', 'sms', 'mms', 'fax'] as const;

/** POST /v1/exchanges: a platform key, for its own accounts only. */
export async function exchange(
  deps: HoldingDeps,
  who: Caller,
  body: ExchangeRequest,
  /** `operation`: the request's operation id; `resumable`: it came from an Idempotency-Key */
  run: { operation: string; resumable: boolean },
): Promise<{ allocated: EndpointStatus; released: EndpointStatus }> {
  ownAccount(who, body.accountId);
  const oldAddress = addressField(body.address);
  // bad input is a 400 whatever the database holds
  const newAddress = body.newAddress === undefined ? undefined : addressField(body.newAddress, 'newAddress');
  const old = await heldBy(deps.db, body.accountId, oldAddress);
  if (!old) throw new NotFound(`address: no endpoint ${oldAddress} held by account ${body.accountId}`);
  if (old.state !== 'ALLOCATED') throw new Conflict(`address: ${oldAddress} is ${old.state}, not ALLOCATED: nothing to exchange`);
  const actor = actorOf(who);
  const { operation } = run;
  const applicationUri = old.applicationUri ?? undefined;
  const allocation = allocator(deps);
  let allocated: EndpointStatus;
  if (newAddress !== undefined) {
    if (newAddress === oldAddress) throw BadRequest.field('newAddress', 'the same as address');
    allocated = await allocation.byAddress({ address: newAddress, accountId: body.accountId, applicationUri, actor, operation });
  } else {
    const criteria: Criteria = body.criteria ?? {
      ...(old.npa ? { npa: old.npa } : {}),
      capabilities: CAPABILITIES.filter((c) => old[`${c}Enabled`]),
    };
    allocated = await allocation.byCriteria({ criteria, accountId: body.accountId, applicationUri, actor, except: oldAddress, operation, resumable: run.resumable });
  }
  try {
    const released = await deps.temporal.endpoint(oldAddress).release({ accountId: body.accountId, actor }, `${operation}:release`);
    return { allocated, released };
  } catch (err) {
    // the old one stays; the new one goes back
    await deps.temporal
      .endpoint(allocated.address)
      .release({ accountId: body.accountId, actor: `${actor} (exchange undone)` }, `${operation}:undo`)
      .catch(() => undefined);
    throw err;
  }
}
