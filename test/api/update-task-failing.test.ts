// An update refused because its workflow's task is failing (Temporal's
// FAILED_PRECONDITION "Workflow Task in failed state", which a worker killed
// or timed out mid-replay leaves for a while) was answered 503 at once, and
// the fault suite's clients gave up after 120 s of them. The update is now
// sent again within TEMPORAL_UPDATE_WAIT and lands once the task recovers; a
// task still failing after the wait is a 503 that says so.
// Its number is in area code 276, which no other suite uses.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { Unavailable } from '../../src/domain/errors';
import { TemporalGateway } from '../../src/temporal/gateway';
import { endpointWorkflowId } from '../../workflows/shared';
import { nativeConnection, stack, temporalClient, testConfig, uniqueTaskQueue } from '../support/stack';

const WORKFLOWS = join(__dirname, '../support/workflows/task-fails-a-while.ts');

describe("an update while the endpoint workflow's task is failing", function () {
  this.timeout(120_000);
  const taskQueue = uniqueTaskQueue('task-failing');
  let worker: { worker: Worker; running: Promise<void> };
  const started: string[] = [];

  before(async () => {
    const w = await Worker.create({ connection: await nativeConnection(), taskQueue, workflowsPath: WORKFLOWS });
    worker = { worker: w, running: w.run() };
  });

  after(async () => {
    const { client } = await temporalClient();
    for (const id of started)
      await client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    worker.worker.shutdown();
    await worker.running;
  });

  /** a workflow under the endpoint's id whose task fails for `failMs`; resolves once Temporal refuses updates (from the task's 3rd attempt) */
  const failing = async (address: string, failMs: number) => {
    const { client } = await temporalClient();
    const id = endpointWorkflowId(address);
    const handle = await client.workflow.start('taskFailsAWhile', {
      taskQueue,
      workflowId: id,
      args: [address, Date.now() + failMs],
      workflowTaskTimeout: '2s',
    });
    started.push(id);
    for (let i = 0; i < 200; i++) {
      const attempt = (await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0;
      if (attempt >= 3) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`${address}'s workflow task never failed`);
  };

  const gateway = (waitMs: string) =>
    TemporalGateway.fromConfig({ ...testConfig({ TEMPORAL_UPDATE_WAIT: waitMs }), TEMPORAL_ADDRESS: stack().temporalAddress }, 2000);

  it('is sent again until the task recovers, and lands', async () => {
    const address = '+12765550101';
    await failing(address, 12_000);
    const g = gateway('40s');
    try {
      const status = await g.endpoint(address).release({ accountId: 'acct-task-failing', actor: 'test' }, randomUUID());
      assert.equal(status.address, address);
      assert.equal(status.state, 'AGING');
    } finally {
      await g.close();
    }
  });

  it('answers Unavailable naming the failing task when it is still failing after the wait', async () => {
    const address = '+12765550102';
    await failing(address, 600_000);
    const g = gateway('3s');
    try {
      const t0 = Date.now();
      const err = await g
        .endpoint(address)
        .release({ accountId: 'acct-task-failing', actor: 'test' }, randomUUID())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof Unavailable, `expected Unavailable, got ${String(err)}`);
      assert.match(err.message, /recovering.*task was retried.*same Idempotency-Key/);
      assert.ok(Date.now() - t0 < 10_000, `answered after ${Date.now() - t0} ms`);
    } finally {
      await g.close();
    }
  });
});
