// The one place Temporal's client errors become domain errors.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Conflict, NotFound, Unavailable } from '../domain/errors';
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
  if (err instanceof WorkflowUpdateFailedError) return new Conflict(err.cause?.message ?? 'refused');
  if (dependencyDown(err) === 'temporal') {
    const e = new Unavailable('Temporal is unavailable; retry shortly', 5, 'temporal');
    (e as { cause?: unknown }).cause = err;
    return e;
  }
  return err;
}
