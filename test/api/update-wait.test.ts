// An update to an endpoint whose worker is gone is waited for a bounded time
// (TEMPORAL_UPDATE_WAIT), then the request answers 503 with its claim kept;
// once a worker is back, the retry with the same operation lands on the same
// update and the same endpoint — one allocation, never two. Before, the
// request waited for as long as the worker stayed away (seen: over a minute).
// Its number is in area code 274, which no other suite uses.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import { lifecyclePolicy } from '../../src/config';
import { claimedBefore } from '../../src/db/endpoints';
import { Unavailable } from '../../src/domain/errors';
import { TemporalGateway } from '../../src/temporal/gateway';
import { allocator } from '../../src/usecases/allocate';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { createWorker } from '../../workers/worker';
import { db, nativeConnection, stack, temporalClient, testConfig, testLog, uniqueTaskQueue } from '../support/stack';

const NUMBER = '+12745550100';
const ACCOUNT = 'acct-update-wait';

describe('an update whose worker is gone: a bounded wait, then 503 with the claim kept', function () {
  this.timeout(120_000);
  const taskQueue = uniqueTaskQueue('update-wait');
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s', TEMPORAL_UPDATE_WAIT: '2s' });
  let gateway: TemporalGateway;
  let worker: { worker: Worker; running: Promise<void> } | undefined;

  const startWorker = async () => {
    const { client } = await temporalClient();
    const w = await createWorker({ config: config(), connection: await nativeConnection(), db: db(), log: testLog, client });
    worker = { worker: w, running: w.run() };
  };
  const stopWorker = async () => {
    worker?.worker.shutdown();
    await worker?.running;
    worker = undefined;
  };

  before(async () => {
    await db().account.upsert({ where: { id: ACCOUNT }, create: { id: ACCOUNT, name: ACCOUNT }, update: {} });
    await startWorker();
    const { client } = await temporalClient();
    await ingestEndpoints({ db: db(), client, taskQueue, policy: lifecyclePolicy(config()) }, [{ address: NUMBER, monthlyCostCents: 100 }], {
      entry: 'quarantine',
      actor: 'test',
    });
    const shelved = async () => (await db().endpoint.findUnique({ where: { address: NUMBER } }))?.state === 'AVAILABLE';
    for (let i = 0; i < 300 && !(await shelved()); i++) await new Promise((r) => setTimeout(r, 200));
    assert.ok(await shelved());
    gateway = TemporalGateway.fromConfig({ ...config(), TEMPORAL_ADDRESS: stack().temporalAddress }, 2000);
  });

  after(async () => {
    await stopWorker();
    // its workflow is on this suite's task queue, which nobody serves after it: gone, with its row, before the final reconciliation
    const { client } = await temporalClient();
    await client.workflow
      .getHandle(`endpoint/${NUMBER}`)
      .terminate('test over')
      .catch(() => undefined);
    await db().endpoint.deleteMany({ where: { address: NUMBER } });
    await gateway.close();
  });

  it('answers Unavailable within the wait, keeps the claim, and the retry allocates the same endpoint once', async () => {
    await stopWorker();
    const operation = randomUUID();
    const allocation = allocator({ db: db(), temporal: gateway, notify: () => undefined });
    const request = () => allocation.byCriteria({ criteria: { npa: '274' }, accountId: ACCOUNT, actor: `account:${ACCOUNT}`, operation, resumable: true });

    const started = Date.now();
    const outcome = await Promise.race([
      request().then(
        () => 'allocated with no worker',
        (err: unknown) => err,
      ),
      new Promise((r) => setTimeout(() => r('still waiting after 20 s'), 20_000)),
    ]);
    assert.ok(outcome instanceof Unavailable, `expected Unavailable, got ${String(outcome)}`);
    assert.match(outcome.message, /TEMPORAL_UPDATE_WAIT.*same Idempotency-Key/);
    assert.ok(Date.now() - started < 15_000, `answered after ${Date.now() - started} ms`);
    // the claim is kept: the retry resumes on this endpoint
    assert.equal(await claimedBefore(db(), operation), NUMBER);

    await startWorker();
    const done = await request();
    assert.equal(done.address, NUMBER);
    assert.equal(done.state, 'ALLOCATED');
    assert.equal(await db().endpointHistory.count({ where: { operation: `${operation}:allocate`, toState: 'ALLOCATED' } }), 1);
  });
});
