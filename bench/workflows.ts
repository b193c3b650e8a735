// The benchmark worker's workflows: the real endpoint workflow, and the
// baseline — a workflow that does nothing but stay open.
import { condition } from '@temporalio/workflow';

export { endpointWorkflow } from '../workflows/endpoint.workflow';

export async function idleWorkflow(): Promise<void> {
  await condition(() => false);
}
