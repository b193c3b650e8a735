// The benchmark worker's workflows: the production set (endpoint lifecycle,
// the inventory monitor the API signals, orders), and the baselines — a
// workflow that does nothing but stay open, one whose only update does
// nothing but answer (or only upsert the EndpointState search attribute), and
// one whose updates run one activity, as an activity or as a local activity,
// with or without that upsert (what an allocation's transition costs in
// Temporal and the worker, with the database work taken out).
import { condition, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { EndpointState } from '../workflows/shared';
import type { Activities } from '../activities';
import { localActivityUpsertUpdate, noopUpdate, upsertUpdate, viaActivityUpdate, viaLocalActivityUpdate } from './shared';

export { endpointWorkflow, inventoryMonitorWorkflow, inventoryTickWorkflow, providerOrderWorkflow } from '../workflows';

export async function idleWorkflow(): Promise<void> {
  await condition(() => false);
}

/** a state change in Temporal's visibility store, as each endpoint transition makes */
const upsertState = (n: number): void => upsertSearchAttributes([{ key: EndpointState, value: n % 2 ? 'ALLOCATED' : 'AVAILABLE' }]);

export async function noopWorkflow(): Promise<void> {
  setHandler(noopUpdate, (n) => n);
  setHandler(upsertUpdate, (n) => {
    upsertState(n);
    return n;
  });
  await condition(() => false);
}

const remote = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds' });
// recordScores for an endpoint that does not exist: one short transaction, no write
const NO_ENDPOINT = { endpointId: '00000000-0000-0000-0000-000000000000', version: 0, set: {} };

export async function oneActivityWorkflow(): Promise<void> {
  setHandler(viaActivityUpdate, async (n) => {
    await remote.recordScores(NO_ENDPOINT);
    return n;
  });
  setHandler(viaLocalActivityUpdate, async (n) => {
    await local.recordScores(NO_ENDPOINT);
    return n;
  });
  setHandler(localActivityUpsertUpdate, async (n) => {
    await local.recordScores(NO_ENDPOINT);
    upsertState(n);
    return n;
  });
  await condition(() => false);
}
