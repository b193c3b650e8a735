// The baseline workflows' contract, imported by bench/workflows.ts and the benchmarks.
import { defineUpdate } from '@temporalio/workflow';

/** An update that does nothing but answer: the floor under any Temporal update. */
export const noopUpdate = defineUpdate<number, [number]>('noop');

export const noopWorkflowId = (i: number): string => `noop/${i}`;
