// Reserving: an AVAILABLE endpoint held for an account for some minutes; it
// returns to AVAILABLE by itself (its workflow's timer).
import { actorOf, ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { BadRequest } from '../domain/errors';
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
export type ReserveDeps = Pick<HoldingDeps, 'db' | 'temporal' | 'notify'> & {
  /** RESERVATION_MAX: a longer reservation is a 400 naming `minutes` (the workflow refuses it too) */
  maxReservationMs?: number;
};

export async function reserve(deps: ReserveDeps, who: Caller, body: ReservationRequest, operation: string): Promise<EndpointStatus> {
  if (deps.maxReservationMs !== undefined && body.minutes * 60_000 > deps.maxReservationMs) {
    throw BadRequest.field('minutes', `at most ${Math.floor(deps.maxReservationMs / 60_000)} (RESERVATION_MAX)`);
  }
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
