// Runs last (test/zz-final sorts after every other folder): endpoints driven
// through their lifecycle on the real dev server, then the reconciliation
// command — the real `npm run reconcile` — must report drift 0 over the whole
// test database; drift made by hand is found and repaired.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { lifecyclePolicy } from '../../src/config';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { createWorker } from '../../workers/worker';
import { allocateUpdate, endpointWorkflowId, releaseUpdate, reserveUpdate, stateQuery, type EndpointStateName } from '../../workflows/shared';
import { TEMPORAL_BIN } from '../../scripts/lib/stack';
import { SHARED_TASK_QUEUE, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

async function reconcileCommand(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: stack().databaseUrl, TEMPORAL_ADDRESS: stack().temporalAddress, TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE },
    });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('reconciliation after the run', function () {
  this.timeout(120_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s', QUARANTINE_EXTENSION: '1s' });

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog });
    running = worker.run();
    await db().account.upsert({ where: { id: 'acct-r' }, create: { id: 'acct-r', name: 'reconcile' }, update: {} });
  });
  after(async () => {
    worker.shutdown();
    await running;
    await connection.close();
    await native.close();
  });

  const addresses = Array.from({ length: 12 }, (_, i) => `+1628555${String(1000 + i)}`);
  const handle = (a: string) => client.workflow.getHandle(endpointWorkflowId(a));
  async function waitAll(list: string[], state: EndpointStateName): Promise<void> {
    for (const a of list) {
      for (let i = 0; ; i++) {
        if ((await handle(a).query(stateQuery)).state === state) break;
        if (i > 300) assert.fail(`${a} never reached ${state}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  it('drives endpoints through quarantine, testing, allocation, reservation and release', async () => {
    const res = await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) },
      addresses.map((address) => ({ address })),
      { entry: 'quarantine', actor: 'test' },
    );
    assert.equal(res.accepted.length, addresses.length);
    await waitAll(addresses, 'AVAILABLE');
    for (const a of addresses.slice(0, 4)) await handle(a).executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-r' }] });
    for (const a of addresses.slice(0, 2)) await handle(a).executeUpdate(releaseUpdate, { args: [{ accountId: 'acct-r' }] });
    await handle(addresses[5]!).executeUpdate(reserveUpdate, { args: [{ accountId: 'acct-r', until: Date.now() + 600_000 }] });
    await waitAll(addresses.slice(0, 2), 'AVAILABLE');
  });

  it('the EndpointState search attribute lists exactly the quarantined endpoints', async () => {
    // a second batch that stays in quarantine (30 days) beside the first, now past it
    const long = Array.from({ length: 5 }, (_, i) => `+1628555${String(2000 + i)}`);
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: { ...lifecyclePolicy(config()), quarantineNewMs: 30 * 86_400_000 } },
      long.map((address) => ({ address })),
      { entry: 'quarantine', actor: 'test' },
    );
    const inDb = (await db().endpoint.findMany({ where: { state: 'QUARANTINE' }, select: { address: true } })).map((r) => r.address).sort();
    for (const a of long) assert.ok(inDb.includes(a));
    const listQuarantined = async () => {
      const { stdout } = await run(
        TEMPORAL_BIN,
        ['workflow', 'list', '--address', stack().temporalAddress, '--query', 'EndpointState="QUARANTINE"', '-o', 'json'],
        { maxBuffer: 1 << 24 },
      );
      return (JSON.parse(stdout || '[]') as { execution: { workflowId: string } }[]).map((w) => w.execution.workflowId.slice('endpoint/'.length)).sort();
    };
    let listed = await listQuarantined();
    for (let i = 0; i < 50 && listed.join() !== inDb.join(); i++) {
      await new Promise((r) => setTimeout(r, 100)); // visibility is eventually consistent
      listed = await listQuarantined();
    }
    assert.deepEqual(listed, inDb);
  });

  it('the reconciliation command reports drift 0 over the whole test database', async () => {
    const { code, out } = await reconcileCommand();
    assert.match(out, /drift: 0$/m, out);
    assert.equal(code, 0, out);
  });

  it("finds drift made behind the workflows' backs, repairs it, and then reports 0", async () => {
    const [a, b] = [addresses[6]!, addresses[7]!];
    await db().endpoint.update({ where: { address: a }, data: { state: 'RETIRED' } });
    await handle(b).terminate('simulated loss of a workflow');

    const found = await reconcileCommand();
    assert.equal(found.code, 1, found.out);
    assert.match(found.out, /drift: 2$/m);
    assert.match(found.out, new RegExp(`\\${a}  state_mismatch: workflow AVAILABLE v\\d+, row RETIRED`));
    assert.match(found.out, new RegExp(`\\${b}  no_workflow: no workflow, row AVAILABLE`));

    const repaired = await reconcileCommand('--repair');
    assert.equal(repaired.code, 0, repaired.out);
    assert.equal((await reconcileCommand()).code, 0);
    assert.equal((await db().endpoint.findUniqueOrThrow({ where: { address: a } })).state, 'AVAILABLE');
    assert.equal((await handle(b).query(stateQuery)).state, 'AVAILABLE');
  });
});
