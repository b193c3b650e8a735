// An update Temporal reports as "not found" while the endpoint's workflow is
// running (found by the fault suite: during a PostgreSQL restart and after
// Temporal was frozen, an in-flight allocation's update came back NOT_FOUND
// and was later applied after all) is an unknown outcome, not a refusal: the
// caller answers 503 and keeps its claim, so the retry with the same
// Idempotency-Key lands on the same update — never a second endpoint.
// Temporal cannot be made to answer so on demand, so the client here is a
// stand-in for that one answer; everything else is the code under test.
import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import { EndpointWorkflow } from '../../src/temporal/endpoints';
import { NotFound, Unavailable } from '../../src/domain/errors';

function gatewayWhere(workflow: 'running' | 'completed' | 'missing' | 'unreachable') {
  const handle = {
    executeUpdate: () => Promise.reject(new WorkflowNotFoundError('update not found', 'endpoint/+14155550100', undefined)),
    describe: () => {
      if (workflow === 'missing') return Promise.reject(new WorkflowNotFoundError('workflow not found', 'endpoint/+14155550100', undefined));
      if (workflow === 'unreachable') return Promise.reject(Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 }));
      return Promise.resolve({ status: { name: workflow === 'running' ? 'RUNNING' : 'COMPLETED' } });
    },
  };
  const client = { workflow: { getHandle: () => handle }, withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() } as unknown as Client;
  return { client: () => Promise.resolve(client), taskQueue: 'test', updateWaitMs: 1000 };
}

describe('an update Temporal reports as not found', () => {
  const input = { accountId: 'acct-1', actor: 'test' };

  it('while the workflow runs is an unknown outcome: 503 (retry with the same key), not a refusal', async () => {
    const err = await new EndpointWorkflow(gatewayWhere('running'), '+14155550100').allocate(input, 'op-1:allocate').catch((e: unknown) => e);
    assert.ok(err instanceof Unavailable, `expected Unavailable, got ${String(err)}`);
  });

  it('when Temporal cannot say whether the workflow runs is an unknown outcome too', async () => {
    const err = await new EndpointWorkflow(gatewayWhere('unreachable'), '+14155550100').allocate(input, 'op-1:allocate').catch((e: unknown) => e);
    assert.ok(err instanceof Unavailable, `expected Unavailable, got ${String(err)}`);
  });

  it('when the workflow does not exist or has ended is NotFound', async () => {
    for (const w of ['missing', 'completed'] as const) {
      const err = await new EndpointWorkflow(gatewayWhere(w), '+14155550100').allocate(input, 'op-1:allocate').catch((e: unknown) => e);
      assert.ok(err instanceof NotFound, `${w}: expected NotFound, got ${String(err)}`);
    }
  });
});
