// A purchase as the Twilio-compatible face asks for it: one number for an
// account — a named one, or the best AVAILABLE match for criteria (an area
// code) — with the holder's settings, in one request. It is the /v1
// allocation (allocate: the same claim, workflow update, history and
// guarantees) followed by the /v1 settings update (updateNumber), so a number
// bought through either face is the same allocation.
//
// Atomic for the caller: every parameter is checked before anything is
// allocated, and a number whose settings then cannot be written (PostgreSQL
// away) is released again before the error is answered, so a refusal leaves
// the account holding nothing new. A Twilio client sends no Idempotency-Key:
// a retried purchase of a named number finds it held (by this account: the
// refusal says so) and allocates nothing twice; a retried purchase by area
// code is a second purchase, as on Twilio — unless the caller sends an
// Idempotency-Key, which the face honours as /v1 does (docs/api.md).
import type { Caller } from '../domain/access';
import type { Criteria } from '../domain/criteria';
import { allocate, type HoldingDeps } from './allocate';
import { fetchNumber, updateNumber, type NumberUpdate, type NumberView } from './numbers';
import { release } from './release';

export interface PurchaseRequest {
  accountId: string;
  /** either a number… */
  address?: string;
  /** …or criteria (the best match is taken) */
  criteria?: Criteria;
  /** the holder's settings, written once it holds the number */
  settings: NumberUpdate;
}

export async function purchaseNumber(
  deps: HoldingDeps,
  who: Caller,
  req: PurchaseRequest,
  run: { operation: string; resumable: boolean },
): Promise<NumberView> {
  const status = await allocate(deps, who, { accountId: req.accountId, address: req.address, criteria: req.criteria }, run);
  const given = Object.values(req.settings).some((v) => v !== undefined);
  try {
    return given
      ? await updateNumber(deps.db, who, req.accountId, status.address, req.settings)
      : await fetchNumber(deps.db, who, req.accountId, status.address);
  } catch (err) {
    // half a purchase is none: hand the number back (it ages as any release does) and answer the error
    await release(deps, who, { accountId: req.accountId, address: status.address }, `${run.operation}:undo`).catch(() => undefined);
    throw err;
  }
}
