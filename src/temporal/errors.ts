// The one place Temporal's client errors become domain errors.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Conflict, NotFound, RegulationRefused, Unavailable, type RegulationCode } from '../domain/errors';
import { REGULATION_CODES } from '../domain/regulation';
import { REGULATION_REFUSED } from '../../workflows/shared';
import { dependencyDown } from '../dependency';

/**
 * Runs a call to Temporal: a missing workflow is NotFound(`notFound`), a
 * refused update a Conflict with the workflow's reason, Temporal away
 * Unavailable; anything else goes up as it is.
 */
export async function temporalCall<T>(call: () => Promise<T>, notFound = 'no such workflow'): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw domainError(err, notFound);
  }
}

export function domainError(err: unknown, notFound: string): unknown {
  if (err instanceof WorkflowNotFoundError) return new NotFound(notFound);
  if (err instanceof WorkflowUpdateFailedError) return regulationRefusal(err) ?? new Conflict(refusalReason(err));
  if (dependencyDown(err) === 'temporal') {
    const e = new Unavailable('Temporal is unavailable; retry shortly', 5, 'temporal');
    (e as { cause?: unknown }).cause = err;
    return e;
  }
  return err;
}

const GRPC_FAILED_PRECONDITION = 9;

/**
 * Temporal's refusal of an update while the workflow's task is being retried
 * (FAILED_PRECONDITION "Workflow Task in failed state"): the update was not
 * admitted; it can be sent again once a worker completes the task.
 */
export function workflowTaskFailing(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const x = e as { code?: unknown; message?: unknown; details?: unknown; cause?: unknown };
    const text = `${typeof x.message === 'string' ? x.message : ''} ${typeof x.details === 'string' ? x.details : ''}`;
    if (/Workflow Task in failed state/i.test(text) && (x.code === undefined || x.code === GRPC_FAILED_PRECONDITION)) return true;
    e = x.cause;
  }
  return false;
}

/**
 * Why the workflow refused the update: its own failure's message, or — when an
 * activity failed under it (a transition's `StaleTransition`) — the
 * activity's failure's, not the wrapper's "Activity task failed".
 */
function refusalReason(err: WorkflowUpdateFailedError): string {
  return applicationFailures(err).next().value?.message ?? err.cause?.message ?? 'refused';
}

/** The application failures under a failed update, outermost first (an activity's is under the update's). */
function* applicationFailures(err: WorkflowUpdateFailedError): Generator<ApplicationFailure, void> {
  for (let e: unknown = err.cause; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure) yield e;
  }
}

/** A transition the number's country rules refused (the activity's failure, under the update's): the rule's own error. */
function regulationRefusal(err: WorkflowUpdateFailedError): RegulationRefused | undefined {
  for (const e of applicationFailures(err)) {
    if (e.type === REGULATION_REFUSED) {
      const d = (e.details?.[0] ?? {}) as { rule?: string; country?: string; kind?: string; sources?: string[] };
      const rule = REGULATION_CODES.find((c) => c === d.rule);
      if (rule)
        return new RegulationRefused(rule satisfies RegulationCode, e.message, { country: d.country ?? '', kind: d.kind ?? '', sources: d.sources ?? [] });
    }
  }
  return undefined;
}
