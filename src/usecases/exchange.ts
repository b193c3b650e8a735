// Exchanging an account's endpoint for another: a given address, criteria, or
// by default the same area code and capabilities. The new one is allocated
// with the old one's application URI, then the old one is released. If the
// release is refused, the new one is given back; if its answer is lost (or
// Temporal is away) both halves stay as they are — the old one may have been
// released — and the client's retry with the same Idempotency-Key finishes the
// exchange: each half is its own update id, so a half that landed is answered,
// not done again.
import { changedBy, findByAddress, heldBy } from '../db/endpoint-reads';
import { actorOf, ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import type { Criteria } from '../domain/criteria';
import { BadRequest, Conflict, NotFound } from '../domain/errors';
import { allocator, refused, type EndpointStatus, type HoldingDeps } from './allocate';

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
  const { operation } = run;
  const releaseId = `${operation}:release`;
  const held = await heldBy(deps.db, body.accountId, oldAddress);
  // A retry of this exchange whose release of the old one went through (the
  // answer was lost): the old one is no longer held — by this very operation,
  // as its history says — and the exchange is finished, not refused. The
  // allocation came first, so it went through too: it is answered, never made afresh.
  const resuming = (!held || held.state !== 'ALLOCATED') && run.resumable && (await changedBy(deps.db, oldAddress, releaseId));
  if (!resuming) {
    if (!held) throw new NotFound(`address: no endpoint ${oldAddress} held by account ${body.accountId}`);
    if (held.state !== 'ALLOCATED') throw new Conflict(`address: ${oldAddress} is ${held.state}, not ALLOCATED: nothing to exchange`);
  }
  const old = held ?? (await findByAddress(deps.db, oldAddress));
  if (!old) throw new NotFound(`address: no endpoint ${oldAddress} held by account ${body.accountId}`);
  const actor = actorOf(who);
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
    allocated = await allocation.byCriteria({
      criteria,
      accountId: body.accountId,
      applicationUri,
      actor,
      except: oldAddress,
      operation,
      resumable: run.resumable,
      resumeOnly: resuming,
    });
  }
  const oldEndpoint = deps.temporal.endpoint(oldAddress);
  try {
    const released = await oldEndpoint.release({ accountId: body.accountId, actor }, releaseId);
    return { allocated, released };
  } catch (err) {
    // Not a refusal (the answer lost, Temporal away): the release may have
    // been applied. Undoing the allocation now could leave the account with
    // neither number; both halves stay, and the retry with the same key
    // finishes the exchange.
    if (!refused(err)) throw err;
    // refused because this operation's own release went through earlier (a retry that reached another run)
    if (await changedBy(deps.db, oldAddress, releaseId)) return { allocated, released: await oldEndpoint.state() };
    // refused: the old one stays; the new one goes back
    await deps.temporal
      .endpoint(allocated.address)
      .release({ accountId: body.accountId, actor: `${actor} (exchange undone)` }, `${operation}:undo`)
      .catch(() => undefined);
    throw err;
  }
}
