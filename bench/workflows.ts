// The benchmark worker's workflows: the production set (endpoint lifecycle,
// the inventory monitor the API signals, orders), and the baselines — a
// workflow that does nothing but stay open, and one whose only update does
// nothing but answer.
import { condition, setHandler } from '@temporalio/workflow';
import { noopUpdate } from './shared';

export { endpointWorkflow, inventoryMonitorWorkflow, inventoryTickWorkflow, providerOrderWorkflow } from '../workflows';

export async function idleWorkflow(): Promise<void> {
  await condition(() => false);
}

export async function noopWorkflow(): Promise<void> {
  setHandler(noopUpdate, (n) => n);
  await condition(() => false);
}
