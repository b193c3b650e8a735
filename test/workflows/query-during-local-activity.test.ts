// A query that arrives while a transition's local activity runs can make the
// worker close that workflow task with the activity's marker and take up the
// code after it in the next task. On replay the activity resolves in the
// first task, so code that asked for a patch right after it (the first
// in-service wait's `in-service-retest`) asked before the replay had seen
// that patch's marker: `patched()` said false and the replay failed with a
// nondeterminism error — a worker without the run in its cache (a restart, a
// query of an evicted run, the final reconciliation) could not go on with it.
// Seen in CI twice, and here: 3 to 8 of 40 ported-in numbers queried without
// pause, with transitions as local activities. Runs since `patches-at-start`
// decide every patch in their first task and record transitions as
// activities, whose results are history events: nothing to split.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { lifecyclePolicy } from '../../src/config';
import { TemporalGateway } from '../../src/temporal/gateway';
import { ingest } from '../../src/usecases/ingest';
import { createWorker } from '../../workers/worker';
import { endpointWorkflowId, stateQuery } from '../../workflows/shared';
import { db, nativeConnection, temporalClient, testConfig, testLog, uniqueTaskQueue } from '../support/stack';
import { workflowBundle } from '../support/timeskip';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** A workflow task that closed on a local activity's marker, with the code after it in the next task. */
function splitAfterLocalActivity(history: History): boolean {
  const events = history.events ?? [];
  return events.some(
    (e, i) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity' && events[i + 1]?.workflowTaskScheduledEventAttributes != null,
  );
}

describe('endpoint workflow: queried without pause while it moves, it still replays', function () {
  this.timeout(300_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const queue = uniqueTaskQueue('query-during-la');
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: queue });
  // area code 773: this suite's own
  const addresses = Array.from({ length: 40 }, (_, i) => `+1773555${String(2000 + i)}`);

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    await db().account.upsert({ where: { id: 'acct-query-la' }, create: { id: 'acct-query-la', name: 'query during LA' }, update: {} });
  });
  after(async () => {
    // the numbers go: nobody serves this task queue later (the final reconciliation would find them stuck)
    await Promise.all(
      addresses.map((a) =>
        client.workflow
          .getHandle(endpointWorkflowId(a))
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
    await db().portRequest.deleteMany({ where: { address: { in: addresses } } });
    await db().endpoint.deleteMany({ where: { address: { in: addresses } } });
    worker.shutdown();
    await running;
    await connection.close();
    await native.close();
  });

  it('ported-in numbers queried without pause while they are tested and allocated: every history replays', async () => {
    const temporal = TemporalGateway.fromClient(client, queue);
    const res = await ingest(
      { db: db(), temporal, policy: lifecyclePolicy(config()) },
      addresses.map((address, i) => ({ address, capable: { voice: true, sms: i % 2 === 0 } })),
      { entry: 'port-in', accountId: 'acct-query-la', actor: 'test', operation: `import:${randomUUID()}` },
    );
    assert.equal(res.accepted.length, addresses.length);

    // every number queried back to back until it is allocated: queries land while transitions run
    await Promise.all(
      addresses.map(async (a) => {
        const h = client.workflow.getHandle(endpointWorkflowId(a));
        for (let i = 0; i < 3000; i++) {
          const { state } = await h.query(stateQuery);
          if (state !== 'PORTING_IN') return;
          await new Promise((r) => setTimeout(r, 5));
        }
        assert.fail(`${a} still porting in`);
      }),
    );
    const histories = await Promise.all(
      addresses.map(async (a) => {
        const h = client.workflow.getHandle(endpointWorkflowId(a));
        return { workflowId: h.workflowId, history: await h.fetchHistory() };
      }),
    );
    const states = await Promise.all(addresses.map(async (a) => (await client.workflow.getHandle(endpointWorkflowId(a)).query(stateQuery)).state));
    assert.deepEqual(
      states.filter((s) => s !== 'ALLOCATED'),
      [],
    );

    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    assert.deepEqual(failures, []);
    // transitions are activities: no workflow task can close on a local activity's marker
    const split = histories.filter((h) => splitAfterLocalActivity(h.history)).map((h) => h.workflowId);
    assert.deepEqual(split, []);
    const local = histories.filter((h) => (h.history.events ?? []).some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity'));
    assert.deepEqual(
      local.map((h) => h.workflowId),
      [],
      'runs since patches-at-start record no local activities',
    );
  });
});
