// Allocation: one endpoint by address, or the best AVAILABLE match for
// criteria. A criteria request claims a candidate row for a few seconds
// (src/db/endpoints.ts claim: concurrent requests spread over the candidates
// and never share one) and asks that endpoint's workflow to allocate it; the
// workflow's compare-and-set is the final word.
import type { Db } from '../db/client';
import { claim, claimedBefore, letGo } from '../db/endpoints';
import { allocatedBy, changedBy } from '../db/endpoint-reads';
import { recordUnmet } from '../db/demand';
import { findByAddress } from '../db/endpoint-reads';
import { actorOf, ownAccount, refusalFor, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { criteriaTags, type Criteria } from '../domain/criteria';
import { UNMET_DEMAND_DEFAULTS } from '../domain/inventory';
import { Conflict, NoneAvailable, NotFound, RegulationRefused } from '../domain/errors';
import type { TemporalGateway } from '../temporal/gateway';
import type { EndpointStatus } from '../../workflows/shared';

export type { EndpointStatus };

/** What allocating and holding endpoints need: the repository, Temporal, and a nudge to the inventory monitor. */
export interface HoldingDeps {
  db: Db;
  temporal: TemporalGateway;
  /** tells the inventory monitor the shelf changed (coalesced) */
  notify: () => void;
  /** UNMET_DEMAND_WINDOW: an account's none-available allocation for the same criteria counts once per this (default 1 hour) */
  unmetWindowMs?: number;
}

/** How many candidates a criteria allocation tries before it answers none available. */
const MAX_CANDIDATES = 5;

/** the workflow refused (or there is none): nothing was done — unlike a lost answer or Temporal away, where it may have been */
export const refused = (err: unknown): boolean => err instanceof Conflict || err instanceof NotFound;

/**
 * A workflow's refusal of a request for one address, as the requesting
 * account may read it (src/domain/access.ts refusalFor): about its own
 * holding it says why; about anyone else's, only that the number is not
 * available. Anything but a refusal goes up as it is.
 */
export async function refusalSeenBy(db: Db, address: string, accountId: string, err: unknown): Promise<unknown> {
  if (!(err instanceof Conflict)) return err;
  const row = await findByAddress(db, address);
  const message = refusalFor(address, err.message, row?.accountId === accountId);
  return message === err.message ? err : new Conflict(message);
}

/**
 * Allocation itself, shared by allocations and exchanges: by address, or the
 * best AVAILABLE match for criteria. Throws NotFound, Conflict, NoneAvailable.
 */
export function allocator(deps: HoldingDeps) {
  // the update id makes a retried request the same update: a first attempt that was applied is answered, not repeated
  const allocateAt = async (
    address: string,
    input: { accountId: string; applicationUri?: string; actor: string },
    operation: string,
    /** a criteria allocation: the operation may have allocated another endpoint (its earlier attempt's candidate) — that one is the answer */
    anyEndpoint = false,
  ): Promise<EndpointStatus> => {
    const endpoint = deps.temporal.endpoint(address);
    const updateId = `${operation}:allocate`;
    let status: EndpointStatus;
    try {
      status = await endpoint.allocate({ accountId: input.accountId, applicationUri: input.applicationUri, actor: input.actor }, updateId);
    } catch (err) {
      if (!refused(err)) throw err;
      // Refused — but did this operation allocate one already? One allocation
      // operation allocates one endpoint (the transition refuses a second,
      // src/db/endpoints.ts): an earlier attempt's update to another candidate
      // may have applied after that attempt gave up on it. That one is the answer.
      const done = anyEndpoint ? await allocatedBy(deps.db, updateId) : undefined;
      if (done !== undefined && done !== address) {
        const now = await deps.temporal.endpoint(done).state();
        if (now.state !== 'ALLOCATED' || now.accountId !== input.accountId) {
          throw new Conflict(`${done} was allocated by this request earlier and has changed since; send a new request (a new Idempotency-Key) for another`);
        }
        status = now;
      } else {
        // Was it this operation's own earlier attempt, applied, whose answer
        // neither Temporal (another run) nor the workflow's record of its last
        // updates still holds? The history row names the operation that made
        // each change: then it is done, and answered while the account holds it.
        if (!(await changedBy(deps.db, address, updateId))) throw err;
        const now = await endpoint.state();
        if (now.state !== 'ALLOCATED' || now.accountId !== input.accountId) throw err;
        status = now;
      }
    }
    deps.notify();
    return status;
  };

  return {
    /** a refusal names no other account's holding (refusalSeenBy) */
    async byAddress(input: { address: string; accountId: string; applicationUri?: string; actor: string; operation: string }): Promise<EndpointStatus> {
      try {
        return await allocateAt(input.address, input, input.operation);
      } catch (err) {
        throw await refusalSeenBy(deps.db, input.address, input.accountId, err);
      }
    },

    /** `operation` (a UUID) is also the claim token; a keyed request's retry finds the endpoint its first attempt claimed */
    async byCriteria(input: {
      criteria: Criteria;
      accountId: string;
      applicationUri?: string;
      actor: string;
      except?: string;
      operation: string;
      /** the operation id comes from an Idempotency-Key: an earlier attempt may have claimed one */
      resumable?: boolean;
      /** an earlier attempt is known to have allocated one (an exchange that went on to release): never claim afresh */
      resumeOnly?: boolean;
    }): Promise<EndpointStatus> {
      const tags = criteriaTags(input.criteria);
      // connected before anything is claimed: with Temporal away no candidate is held for nothing
      await deps.temporal.client();
      const token = input.operation;
      const earlier = input.resumable ? await claimedBefore(deps.db, token) : undefined;
      if (earlier) {
        try {
          return await allocateAt(earlier, input, token, true);
        } catch (err) {
          if (!refused(err)) throw err;
          // that attempt allocated it and it has changed hands since: this request is done, not a second endpoint
          if (await changedBy(deps.db, earlier, `${token}:allocate`)) {
            throw new Conflict(
              `${earlier} was allocated by this request earlier and has changed since; send a new request (a new Idempotency-Key) for another`,
            );
          }
          // that attempt did not allocate it and it has moved on: claim afresh
        }
      }
      if (input.resumeOnly)
        throw new Conflict('this request allocated an endpoint earlier that it can no longer answer for; send a new request (a new Idempotency-Key)');
      // the first candidate the account's country rules refused it (src/domain/regulation.ts): the answer if none is allocated
      let ruled: RegulationRefused | undefined;
      // held while the next candidates are claimed (so none is claimed twice), then let go
      const passed: string[] = [];
      const letPassedGo = () => Promise.all(passed.map((id) => letGo(deps.db, id, token)));
      for (let attempt = 0; attempt < MAX_CANDIDATES; attempt++) {
        const candidate = await claim(deps.db, { tags, token, except: input.except, resumable: input.resumable === true });
        if (!candidate) break;
        try {
          const status = await allocateAt(candidate.address, input, token, true);
          // the answer is another endpoint this operation allocated earlier: this candidate is not needed
          if (status.address !== candidate.address) await letGo(deps.db, candidate.id, token);
          await letPassedGo();
          return status;
        } catch (err) {
          // nothing was done: try the next (another country or kind may be allowed)
          if (err instanceof RegulationRefused) {
            ruled ??= err;
            passed.push(candidate.id);
            continue;
          }
          // Anything but a refusal (Temporal unreachable, a timeout) may have
          // allocated it after all: keep the claim, so the client's retry with
          // its Idempotency-Key resumes on this endpoint with the same update
          // id instead of allocating a second one (the claim lapses by itself).
          if (!refused(err)) throw err;
          // it moved on (or has no workflow): let it go and take the next candidate
          await letGo(deps.db, candidate.id, token);
        }
      }
      await letPassedGo();
      // the shelf had numbers, but not for this account under its country rules: the rule is the answer, not unmet demand
      if (ruled) throw ruled;
      // demand the shelf could not meet: the monitor weighs it (once per account, criteria and window)
      if (await recordUnmet(deps.db, { tags, accountId: input.accountId, windowMs: deps.unmetWindowMs ?? UNMET_DEMAND_DEFAULTS.windowMs })) deps.notify();
      throw new NoneAvailable(tags);
    },
  };
}

export interface AllocationRequest {
  accountId: string;
  /** either an address… */
  address?: string;
  /** …or criteria */
  criteria?: Criteria;
  applicationUri?: string;
}

/** POST /v1/allocations: a platform key, for its own accounts only. */
export async function allocate(
  deps: HoldingDeps,
  who: Caller,
  body: AllocationRequest,
  /** `operation`: the request's operation id; `resumable`: it came from an Idempotency-Key */
  run: { operation: string; resumable: boolean },
): Promise<EndpointStatus> {
  // another account's business does not exist for this key
  ownAccount(who, body.accountId);
  const allocation = allocator(deps);
  const input = { accountId: body.accountId, applicationUri: body.applicationUri, actor: actorOf(who), operation: run.operation };
  return body.address !== undefined
    ? allocation.byAddress({ ...input, address: addressField(body.address) })
    : allocation.byCriteria({ ...input, criteria: body.criteria!, resumable: run.resumable });
}
