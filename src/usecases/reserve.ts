// Reserving: an AVAILABLE endpoint held for an account for some minutes; it
// returns to AVAILABLE by itself (its workflow's timer).
import { actorOf, ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { refusalSeenBy, type EndpointStatus, type HoldingDeps } from './allocate';

export interface ReservationRequest {
  accountId: string;
  address: string;
  minutes: number;
}

/**
 * POST /v1/reservations: a platform key, for its own accounts only. `operation` makes a retry the same update.
 * A refusal names no other account's holding (`address: <a> is not available`).
 */
export async function reserve(
  deps: Pick<HoldingDeps, 'db' | 'temporal' | 'notify'>,
  who: Caller,
  body: ReservationRequest,
  operation: string,
): Promise<EndpointStatus> {
  ownAccount(who, body.accountId);
  const address = addressField(body.address);
  const status = await deps.temporal
    .endpoint(address)
    .reserve({ accountId: body.accountId, until: Date.now() + body.minutes * 60_000, actor: actorOf(who) }, `${operation}:reserve`)
    .catch(async (err: unknown) => {
      throw await refusalSeenBy(deps.db, address, body.accountId, err);
    });
  deps.notify();
  return status;
}
