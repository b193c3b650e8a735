// Account deactivation workflows (`account-deactivation/<id>`): the durable
// timer after which a deactivated account's numbers are released.
import type { Client } from '@temporalio/client';
import { accountDeactivationWorkflow } from '../../workflows/account-deactivation.workflow';
import { accountDeactivationWorkflowId } from '../../workflows/shared';
import { temporalCall } from './errors';

interface ClientSource {
  client(): Promise<Client>;
  readonly taskQueue: string;
}

export class AccountWorkflows {
  constructor(private readonly gateway: ClientSource) {}

  /**
   * Starts the account's deactivation workflow, or finds it running (a
   * repeated deactivation is a no-op). One that has closed may run again: it
   * finds nothing left to release.
   */
  async deactivated(accountId: string, releaseAt: number): Promise<void> {
    await temporalCall(async () =>
      (await this.gateway.client()).workflow.start(accountDeactivationWorkflow, {
        taskQueue: this.gateway.taskQueue,
        workflowId: accountDeactivationWorkflowId(accountId),
        args: [{ accountId, releaseAt }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  }
}
