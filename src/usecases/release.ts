// Releasing an account's endpoint: allocated, it ages before reuse; reserved,
// it is available again.
import { actorOf, ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { Conflict, NotFound } from '../domain/errors';
import { clearSettings } from '../db/number-settings';
import type { EndpointStatus, HoldingDeps } from './allocate';

export interface ReleaseRequest {
  accountId: string;
  address: string;
}

/** POST /v1/releases: a platform key, for its own accounts only. `operation` makes a retry the same update. */
export async function release(
  deps: Pick<HoldingDeps, 'db' | 'temporal' | 'notify'>,
  who: Caller,
  body: ReleaseRequest,
  operation: string,
): Promise<EndpointStatus> {
  ownAccount(who, body.accountId);
  const address = addressField(body.address);
  // The workflow judges who holds it (the row may lag a moment). No look at the row first: a
  // retry of a release that was applied but whose answer was lost must reach the same update
  // (same id) and get its result, even if the endpoint has been allocated to someone since.
  const status = await deps.temporal
    .endpoint(address)
    .release({ accountId: body.accountId, actor: actorOf(who) }, `${operation}:release`)
    .catch((err: unknown) => {
      // not held by this account: not its business
      if (err instanceof Conflict && /held by another account|not ALLOCATED or RESERVED/.test(err.message)) {
        throw new NotFound(`address: no endpoint ${address} held by account ${body.accountId}`);
      }
      throw err;
    });
  // the holding is over: its settings (friendly name, URLs) do not pass to a later one
  await clearSettings(deps.db, address);
  deps.notify();
  return status;
}
