// The inactivity-policy workflow (`inactivity-policy`): its sweeps notice and
// release allocated numbers left unused (src/usecases/inactivity.ts).
import type { Client } from '@temporalio/client';
import { inactivityPolicyWorkflow } from '../../workflows/inactivity-policy.workflow';
import { INACTIVITY_POLICY_ID } from '../../workflows/shared';
import { temporalCall } from './errors';

interface ClientSource {
  client(): Promise<Client>;
  readonly taskQueue: string;
}

export class InactivityWorkflow {
  constructor(private readonly gateway: ClientSource) {}

  /** Starts the sweeper unless it runs (whichever worker comes first). Idempotent; one that ended (the policy was off) starts again. */
  async ensure(): Promise<void> {
    await temporalCall(async () =>
      (await this.gateway.client()).workflow.start(inactivityPolicyWorkflow, {
        taskQueue: this.gateway.taskQueue,
        workflowId: INACTIVITY_POLICY_ID,
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  }
}
