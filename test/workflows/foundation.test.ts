// The foundation end to end: a workflow on the real Temporal server whose
// activity writes through Prisma to the real PostgreSQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { endpointActivities } from '../../activities/endpoints';
import { createWorker } from '../../workers/worker';
import { lifecyclePolicy } from '../../src/config';
import { NO_CAPABILITIES, initialSnapshot } from '../../src/temporal/endpoints';
import { endpointWorkflowId, stateQuery } from '../../workflows/shared';
import { db, nativeConnection, temporalClient, testConfig, testLog, SHARED_TASK_QUEUE } from '../support/stack';

async function insertEndpoint(address: string): Promise<string> {
  const row = await db().endpoint.create({
    data: { address, kind: 'FIXED_LINE_OR_MOBILE', country: 'US', npa: address.slice(2, 5), digits: address.slice(2) },
  });
  created.push(row.id);
  return row.id;
}
const created: string[] = [];

function randomNanp(): string {
  return `+1415${String(2_000_000 + Math.floor(Math.random() * 7_999_999)).padStart(7, '0')}`;
}

describe('foundation: workflow → activity → PostgreSQL', () => {
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
  });
  after(async () => {
    // rows written without a workflow would be drift for the final reconciliation
    await db().endpoint.deleteMany({ where: { id: { in: created } } });
    await connection.close();
    await native.close();
  });

  it('runs the endpoint workflow on the real server and records its transition in PostgreSQL', async () => {
    const taskQueue = SHARED_TASK_QUEUE;
    const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue });
    const worker = await createWorker({ config, connection: native, db: db(), log: testLog });
    const address = randomNanp();
    const endpointId = await insertEndpoint(address);

    await worker.runUntil(async () => {
      const handle = await client.workflow.start('endpointWorkflow', {
        taskQueue,
        workflowId: endpointWorkflowId(address),
        args: [{ address, endpointId, policy: lifecyclePolicy(config), snapshot: initialSnapshot('ORDERED', 0, NO_CAPABILITIES) }],
      });
      const deadline = Date.now() + 45_000; // seconds on a busy machine (the test may take 60)
      while (Date.now() < deadline) {
        if ((await handle.query(stateQuery)).state === 'QUARANTINE') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal((await handle.query(stateQuery)).state, 'QUARANTINE');
    });
    // its workflow stays open in quarantine, in step with its row (the final reconciliation checks)
    created.splice(created.indexOf(endpointId), 1);

    const row = await db().endpoint.findUniqueOrThrow({ where: { id: endpointId }, include: { history: true } });
    assert.equal(row.state, 'QUARANTINE');
    assert.equal(row.version, 1);
    assert.equal(row.history.length, 1);
    assert.equal(row.history[0]!.fromState, 'ORDERED');
    assert.equal(row.history[0]!.toState, 'QUARANTINE');
    assert.match(row.history[0]!.cause, /quarantine/);
  });

  describe('recordTransition (compare-and-set)', () => {
    const recordTransition: ReturnType<typeof endpointActivities>['recordTransition'] = (input) => endpointActivities(db()).recordTransition(input);

    it('applied twice (a retry) moves once and records once', async () => {
      const endpointId = await insertEndpoint(randomNanp());
      const input = { endpointId, from: 'ORDERED', fromVersion: 0, to: 'QUARANTINE', cause: 'test', actor: 'test', operation: 'op-1' } as const;
      assert.deepEqual(await recordTransition(input), { version: 1 });
      assert.deepEqual(await recordTransition(input), { version: 1 });
      assert.equal(await db().endpointHistory.count({ where: { endpointId } }), 1);
    });

    it('another operation that finds the row as it wanted it is not acknowledged: only the one that made the change is', async () => {
      const endpointId = await insertEndpoint(randomNanp());
      const first = { endpointId, from: 'ORDERED', fromVersion: 0, to: 'QUARANTINE', cause: 'test', actor: 'test', operation: 'update-a' } as const;
      assert.deepEqual(await recordTransition(first), { version: 1 });
      await assert.rejects(
        recordTransition({ ...first, operation: 'update-b' }),
        (err: Error & { type?: string; nonRetryable?: boolean }) =>
          err.type === 'StaleTransition' && err.nonRetryable === true && /another operation \(update-a\)/.test(err.message),
      );
      const history = await db().endpointHistory.findMany({ where: { endpointId } });
      assert.deepEqual(
        history.map((h) => h.operation),
        ['update-a'],
      );
    });

    it('a transition re-run after the same workflow went on (its task lost after two transitions committed) is recognised, and so is the next', async () => {
      // found by the fault suite under load: two local-activity transitions committed in one workflow task that was then lost
      const endpointId = await insertEndpoint(randomNanp());
      const first = { endpointId, from: 'ORDERED', fromVersion: 0, to: 'QUARANTINE', cause: 't', actor: 't', operation: 'update-x' } as const;
      const second = { endpointId, from: 'QUARANTINE', fromVersion: 1, to: 'TESTING', cause: 't', actor: 't', operation: 'wf@v1' } as const;
      assert.deepEqual(await recordTransition(first), { version: 1 });
      assert.deepEqual(await recordTransition(second), { version: 2 });
      // the workflow re-runs from v0: the same operations, in the same order
      assert.deepEqual(await recordTransition(first), { version: 1 });
      assert.deepEqual(await recordTransition(second), { version: 2 });
      // a different step from v1 is not this history's: refused
      await assert.rejects(recordTransition({ ...second, to: 'REJECTED' }), (err: Error & { type?: string }) => err.type === 'StaleTransition');
      assert.equal(await db().endpointHistory.count({ where: { endpointId } }), 2);
    });

    it('refuses a stale version without changing anything', async () => {
      const endpointId = await insertEndpoint(randomNanp());
      await recordTransition({ endpointId, from: 'ORDERED', fromVersion: 0, to: 'QUARANTINE', cause: 't', actor: 't', operation: 't' });
      await assert.rejects(
        recordTransition({ endpointId, from: 'ORDERED', fromVersion: 0, to: 'TESTING', cause: 't', actor: 't', operation: 't' }),
        (err: Error & { type?: string; nonRetryable?: boolean }) =>
          err.type === 'StaleTransition' && err.nonRetryable === true && /QUARANTINE v1/.test(err.message),
      );
      const row = await db().endpoint.findUniqueOrThrow({ where: { id: endpointId } });
      assert.equal(row.state, 'QUARANTINE');
      assert.equal(row.version, 1);
    });

    it('refuses an endpoint that does not exist', async () => {
      await assert.rejects(
        recordTransition({ endpointId: randomUUID(), from: 'ORDERED', fromVersion: 0, to: 'QUARANTINE', cause: 't', actor: 't', operation: 't' }),
        /does not exist/,
      );
    });
  });
});
