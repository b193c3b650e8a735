// The inactivity policy's sweeper (one workflow, `inactivity-policy`): a sweep
// (src/usecases/inactivity.ts) notices allocated numbers idle for
// INACTIVITY_NOTIFY_AFTER and releases those still unused
// INACTIVITY_RELEASE_AFTER after their notice; then a durable timer until the
// next. The sweep is given the workflow's clock, so on the time-skipping
// server days pass as the timers do. The settings are the worker's: a change
// applies from the next sweep; with the policy off the workflow ends.
import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

// a failed sweep (database away) is tried again; a sweep repeats nothing it did (notices keyed by idle period, releases by notice)
const { sweepInactivity } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '30 seconds', maximumInterval: '30 minutes', backoffCoefficient: 2 },
});

/** sweeps per run before continue-as-new (each is three events: a short history) */
export const SWEEPS_PER_RUN = 200;

export async function inactivityPolicyWorkflow(): Promise<void> {
  for (let i = 0; i < SWEEPS_PER_RUN && !workflowInfo().continueAsNewSuggested; i++) {
    const sweep = await sweepInactivity({ now: Date.now() });
    if (sweep.nextSweepMs === null) return;
    await sleep(sweep.nextSweepMs);
  }
  await continueAsNew<typeof inactivityPolicyWorkflow>();
}
