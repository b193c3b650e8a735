// One workflow per endpoint, for its whole managed life.
import { condition, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  EndpointState,
  stateQuery,
  type EndpointStatus,
  type EndpointWorkflowInput,
} from './shared';

const { recordTransition } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function endpointWorkflow(input: EndpointWorkflowInput): Promise<EndpointStatus> {
  const status: EndpointStatus = {
    address: input.address,
    endpointId: input.endpointId,
    state: 'ORDERED',
    version: 0,
  };
  setHandler(stateQuery, () => status);

  const { version } = await recordTransition({
    endpointId: input.endpointId,
    from: status.state,
    fromVersion: status.version,
    to: 'QUARANTINE',
    cause: 'delivered: quarantine before first use',
    actor: 'workflow',
  });
  status.state = 'QUARANTINE';
  status.version = version;
  upsertSearchAttributes([{ key: EndpointState, value: status.state }]);

  await condition(() => false);
  return status;
}
