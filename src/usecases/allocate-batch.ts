// Criteria allocation of a quantity: a small batch for one account, one
// endpoint at a time through the same criteria allocation as a single one
// (each its own claim and `allocate` update, with an operation id derived
// from the request's, so a keyed retry resumes each where it was). The caller
// says what a shortfall means: `all_or_nothing` gives back what it got
// (through the normal release path) and answers 409 holding nothing;
// `partial` keeps what it got and says, per number, what became of each.
import { actorOf, ownAccount, type Caller } from '../domain/access';
import type { Criteria } from '../domain/criteria';
import { DomainError, NoneAvailable, NotEnoughAvailable } from '../domain/errors';
import { derivedUuid } from '../domain/ids';
import { claimedBefore, letGo } from '../db/endpoints';
import { countAvailable } from '../db/search';
import { recordUnmet } from '../db/demand';
import { criteriaTags } from '../domain/criteria';
import { UNMET_DEMAND_DEFAULTS } from '../domain/inventory';
import { allocator, type EndpointStatus, type HoldingDeps } from './allocate';

/** The most one request may ask for: a batch is sequential workflow updates, and an answer lists each. */
export const MAX_QUANTITY = 20;

export type BatchMode = 'all_or_nothing' | 'partial';

export interface BatchRequest {
  accountId: string;
  criteria: Criteria;
  quantity: number;
  mode: BatchMode;
  applicationUri?: string;
}

export type NumberResult =
  | { index: number; outcome: 'allocated'; address: string; endpoint: EndpointStatus }
  | { index: number; outcome: 'released'; address: string; reason: string }
  | { index: number; outcome: 'failed'; error: { code: string; detail: string } };

export interface BatchAnswer {
  mode: BatchMode;
  requested: number;
  allocated: number;
  results: NumberResult[];
}

/** POST /v1/allocations with a quantity: a platform key, for its own accounts only. */
export async function allocateBatch(deps: HoldingDeps, who: Caller, body: BatchRequest, run: { operation: string; resumable: boolean }): Promise<BatchAnswer> {
  ownAccount(who, body.accountId);
  // All or nothing looks first: a shelf that is short now fails at once, with nothing allocated and then
  // released (a released number ages before reuse). A shelf that runs short while the batch allocates —
  // a concurrent request took some — is the case the release below is for.
  const sub = (i: number) => derivedUuid(run.operation, 'batch', String(i));
  if (body.mode === 'all_or_nothing') {
    const tags = criteriaTags(body.criteria);
    const there = await countAvailable(deps.db, tags, body.quantity);
    // a keyed retry whose first attempt claimed some goes the long way: it resumes them, then gives them back
    const resuming = async () => {
      for (let i = 0; i < body.quantity; i++) if (run.resumable && (await claimedBefore(deps.db, sub(i)))) return true;
      return false;
    };
    if (there < body.quantity && !(await resuming())) {
      if (await recordUnmet(deps.db, { tags, accountId: body.accountId, windowMs: deps.unmetWindowMs ?? UNMET_DEMAND_DEFAULTS.windowMs })) deps.notify();
      const message = `all or nothing: only ${there} of ${body.quantity} available (${tags.join(' + ')}); nothing was allocated`;
      const results: NumberResult[] = Array.from({ length: body.quantity }, (_, index) => ({
        index,
        outcome: 'failed',
        error: { code: 'not_enough_available', detail: message },
      }));
      throw new NotEnoughAvailable(message, { mode: body.mode, requested: body.quantity, allocated: 0, results });
    }
  }
  const allocation = allocator(deps);
  const actor = actorOf(who);
  const results: NumberResult[] = [];
  const held: { index: number; address: string; endpointId: string; operation: string }[] = [];
  /** what stopped the batch that is not a refusal (Temporal away): thrown after the rollback */
  let failure: Error | undefined;
  for (let index = 0; index < body.quantity; index++) {
    try {
      const endpoint = await allocation.byCriteria({
        criteria: body.criteria,
        accountId: body.accountId,
        applicationUri: body.applicationUri,
        actor,
        operation: sub(index),
        resumable: run.resumable,
      });
      results.push({ index, outcome: 'allocated', address: endpoint.address, endpoint });
      held.push({ index, address: endpoint.address, endpointId: endpoint.endpointId, operation: sub(index) });
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'unavailable') {
        failure = err instanceof Error ? err : new Error(String(err));
        break;
      }
      results.push({ index, outcome: 'failed', error: { code: err.code, detail: err.message } });
      // the shelf has no more: the rest would be told the same
      if (err instanceof NoneAvailable) {
        for (let rest = index + 1; rest < body.quantity; rest++)
          results.push({ index: rest, outcome: 'failed', error: { code: err.code, detail: err.message } });
        break;
      }
    }
  }
  const allocated = held.length;
  if (body.mode === 'all_or_nothing' && (failure !== undefined || allocated < body.quantity)) {
    const reason = `all or nothing: ${allocated} of ${body.quantity} could be allocated`;
    for (const h of held) {
      await deps.temporal.endpoint(h.address).release({ accountId: body.accountId, actor, reason }, `${h.operation}:rollback`);
      // its claim (the sub-request's token) goes too: back on the shelf after aging, nothing holds it
      await letGo(deps.db, h.endpointId, h.operation);
      results[results.findIndex((r) => r.index === h.index)] = { index: h.index, outcome: 'released', address: h.address, reason };
    }
    if (held.length) deps.notify();
    if (failure !== undefined) throw failure;
    throw new NotEnoughAvailable(`${reason}; the ${allocated} allocated were released: nothing is held`, {
      mode: body.mode,
      requested: body.quantity,
      allocated: 0,
      results,
    });
  }
  if (failure !== undefined) throw failure;
  if (allocated === 0) {
    const why = results.find((r) => r.outcome === 'failed')?.error.detail ?? 'nothing matched';
    throw new NotEnoughAvailable(`partial: none of ${body.quantity} could be allocated (${why})`, {
      mode: body.mode,
      requested: body.quantity,
      allocated,
      results,
    });
  }
  return { mode: body.mode, requested: body.quantity, allocated, results };
}
