// The baseline workflows' contract, imported by bench/workflows.ts and the benchmarks.
import { defineUpdate } from '@temporalio/workflow';

/** An update that does nothing but answer: the floor under any Temporal update. */
export const noopUpdate = defineUpdate<number, [number]>('noop');
/** An update that runs one activity (a transaction that finds no row) and answers. */
export const viaActivityUpdate = defineUpdate<number, [number]>('viaActivity');
/** The same, the activity run as a local activity (in the workflow task, no activity task). */
export const viaLocalActivityUpdate = defineUpdate<number, [number]>('viaLocalActivity');

/** An update that only upserts the EndpointState search attribute (what every transition does) and answers. */
export const upsertUpdate = defineUpdate<number, [number]>('upsertState');

/** Both: one local activity and the upsert — the least an endpoint transition costs in Temporal and the worker. */
export const localActivityUpsertUpdate = defineUpdate<number, [number]>('viaLocalActivityAndUpsert');

export const noopWorkflowId = (i: number): string => `noop/${i}`;
export const oneActivityWorkflowId = (i: number): string => `one-activity/${i}`;
