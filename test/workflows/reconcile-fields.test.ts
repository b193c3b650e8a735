// Issue 14, scenario 11: reconciliation compares more than state and version —
// the holder, the capabilities offered and the deadlines — and repairs them
// with a compare-and-set; a workflow started again from its row resumes its
// phase (keeps what it offers; a port-out still completes).
import assert from 'node:assert/strict';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { lifecyclePolicy } from '../../src/config';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { reconcile } from '../../src/usecases/reconcile';
import { createWorker } from '../../workers/worker';
import { allocateUpdate, endpointWorkflowId, portOutUpdate, stateQuery } from '../../workflows/shared';
import { SHARED_TASK_QUEUE, db, nativeConnection, temporalClient, testConfig, testLog } from '../support/stack';

const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('reconciliation: holder, capabilities and deadlines; a restarted workflow resumes its phase', function () {
  this.timeout(90_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const ACCT = 'acct-recon-fields';
  const OTHER = 'acct-recon-fields-other';
  // area code 479 is this suite's own
  const [drifted, allocated, portingOut] = ['+14795550101', '+14795550102', '+14795550103'];
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s', PORT_OUT_DURATION: '6s' });
  const deps = () => ({ db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) });
  const handle = (a: string) => client.workflow.getHandle(endpointWorkflowId(a));
  const row = (a: string) => db().endpoint.findUniqueOrThrow({ where: { address: a } });
  const driftOf = async (a: string, repair = false) =>
    (await reconcile(deps(), { repair, settleMs: 200, addresses: [a] })).drift.filter((d) => d.address === a);

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    for (const id of [ACCT, OTHER]) await db().account.upsert({ where: { id }, create: { id, name: id }, update: {} });
    await ingestEndpoints(
      deps(),
      [drifted, allocated, portingOut].map((address) => ({ address, capable: { voice: true, sms: true } })),
      { entry: 'quarantine', actor: 'test' },
    );
    await until('3 AVAILABLE', async () => (await db().endpoint.count({ where: { npa: '479', state: 'AVAILABLE' } })) === 3);
    for (const a of [drifted, allocated, portingOut]) await handle(a).executeUpdate(allocateUpdate, { args: [{ accountId: ACCT }] });
  });
  after(async () => {
    worker.shutdown();
    await running;
    await connection.close();
    await native.close();
  });

  it('drift in the holder alone (same state and version) is reported, and repaired from the workflow', async () => {
    const before = await row(drifted);
    assert.equal(before.accountId, ACCT);
    await db().endpoint.update({ where: { address: drifted }, data: { accountId: OTHER } });

    const found = await driftOf(drifted);
    assert.equal(found.length, 1, 'a row held by another account than its workflow says is drift');
    assert.equal(found[0]!.kind, 'field_mismatch');
    assert.deepEqual(found[0]!.fields, ['accountId']);
    assert.equal(found[0]!.workflow?.accountId, ACCT);
    assert.equal(found[0]!.row?.accountId, OTHER);

    const repaired = await driftOf(drifted, true);
    assert.equal(repaired[0]?.repaired, true);
    const after = await row(drifted);
    assert.equal(after.accountId, ACCT);
    assert.equal(after.version, before.version, 'the repair takes the workflow’s version');
    assert.deepEqual(await driftOf(drifted), []);
  });

  it('a workflow restarted for an ALLOCATED row keeps the capabilities the row offers', async () => {
    const r = await row(allocated);
    assert.equal(r.state, 'ALLOCATED');
    assert.deepEqual([r.voiceEnabled, r.smsEnabled], [true, true], 'tests passed: voice and SMS offered');
    await handle(allocated).terminate('simulated loss of a workflow');

    const found = await driftOf(allocated, true);
    assert.equal(found[0]?.kind, 'no_workflow');
    assert.equal(found[0].repaired, true);
    const status = await handle(allocated).query(stateQuery);
    assert.equal(status.state, 'ALLOCATED');
    assert.equal(status.accountId, ACCT);
    assert.deepEqual(status.enabled, { voice: true, sms: true, mms: false, fax: false }, 'the restarted workflow offers what the row offers');
    assert.equal(status.qualityScore, r.qualityScore);
    assert.deepEqual(await driftOf(allocated), []);
  });

  it('a workflow restarted in PORTING_OUT completes the port-out (to PORTED_OUT) when its phase ends', async () => {
    await handle(portingOut).executeUpdate(portOutUpdate, { args: [{ accountId: ACCT }] });
    const r = await row(portingOut);
    assert.equal(r.state, 'PORTING_OUT');
    await handle(portingOut).terminate('simulated loss of a workflow');

    const found = await driftOf(portingOut, true);
    assert.equal(found[0]?.kind, 'no_workflow');
    assert.equal(found[0].repaired, true);
    const status = await handle(portingOut).query(stateQuery);
    assert.equal(status.state, 'PORTING_OUT');
    assert.ok(status.phaseEndsAt !== null, 'the restarted port-out knows when it ends');
    await until('PORTED_OUT', async () => (await row(portingOut)).state === 'PORTED_OUT', 20_000);
    assert.equal((await row(portingOut)).accountId, null);
  });
});
