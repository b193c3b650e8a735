// A test workflow whose workflow task fails (a plain Error thrown from workflow
// code fails the task, not the workflow) until its clock passes `failUntilMs`,
// then answers the endpoint workflow's `release` update. While its task is
// being retried, Temporal refuses updates with FAILED_PRECONDITION "Workflow
// Task in failed state": what the fault suite's killed workers left behind.
import { condition, setHandler } from '@temporalio/workflow';
import { releaseUpdate } from '../../../workflows/shared';

export async function taskFailsAWhile(address: string, failUntilMs: number): Promise<void> {
  if (Date.now() < failUntilMs) throw new Error('injected workflow task failure');
  setHandler(releaseUpdate, () => ({ address, state: 'AGING', version: 1 }) as never);
  await condition(() => false);
}
