// Issue 14, scenario 13 (a): a request retried after its API process died —
// the same operation id (derived from its Idempotency-Key), its first
// attempt's answer lost — never writes a port request or a provider twice; it
// finds what its first attempt wrote and answers as that one would have.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { lifecyclePolicy } from '../../src/config';
import { createPort } from '../../src/db/ports';
import type { Caller } from '../../src/domain/access';
import { TemporalGateway } from '../../src/temporal/gateway';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { portIn } from '../../src/usecases/port-in';
import { portOut } from '../../src/usecases/port-out';
import { addProvider } from '../../src/usecases/providers';
import { createWorker } from '../../workers/worker';
import { allocateUpdate, endpointWorkflowId, stateQuery } from '../../workflows/shared';
import { SHARED_TASK_QUEUE, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('retries after an API death: one port request, one provider per operation', function () {
  this.timeout(90_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let gateway: TemporalGateway;
  const ACCT = 'acct-retries';
  // area code 505 is this suite's own
  const [held, portedIn, portedInLate] = ['+15055550101', '+15055550102', '+15055550103'];
  // ported out within a second (their own lifecycle policy), so a retry can come after the port completed
  const [portedOutFast, portedOutHalfway] = ['+15055550104', '+15055550105'];
  const providerId = 'retries-carrier';
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', PORT_OUT_DURATION: '1 hour' });
  const who: Caller = { keyId: randomUUID(), name: 'retries', scope: 'PLATFORM', accountIds: [ACCT], providerId: null, rateLimit: null };
  const deps = () => ({ db: db(), temporal: gateway, policy: lifecyclePolicy(config()), notify: () => undefined });

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000, SHARED_TASK_QUEUE);
    await db().account.upsert({ where: { id: ACCT }, create: { id: ACCT, name: ACCT }, update: {} });
    await ingestEndpoints({ db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) }, [{ address: held }], {
      entry: 'quarantine',
      actor: 'test',
    });
    await until('AVAILABLE', async () => (await db().endpoint.findUnique({ where: { address: held } }))?.state === 'AVAILABLE');
    await client.workflow.getHandle(endpointWorkflowId(held)).executeUpdate(allocateUpdate, { args: [{ accountId: ACCT }] });
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: { ...lifecyclePolicy(config()), portOutMs: 1000 } },
      [{ address: portedOutFast }, { address: portedOutHalfway }],
      { entry: 'quarantine', actor: 'test' },
    );
    for (const address of [portedOutFast, portedOutHalfway]) {
      await until('AVAILABLE', async () => (await db().endpoint.findUnique({ where: { address } }))?.state === 'AVAILABLE');
      await client.workflow.getHandle(endpointWorkflowId(address)).executeUpdate(allocateUpdate, { args: [{ accountId: ACCT }] });
    }
  });
  after(async () => {
    await db().provider.deleteMany({ where: { id: providerId } });
    worker.shutdown();
    await running;
    await gateway.close();
    await connection.close();
    await native.close();
  });

  it('the same port-out run twice with the same operation id leaves one port request, and answers it both times', async () => {
    const operation = randomUUID();
    const first = await portOut(deps(), who, { accountId: ACCT, address: held, gainingCarrier: 'Other Telco' }, operation);
    // the API died before the answer was stored; the client's retry runs the request again
    const again = await portOut(deps(), who, { accountId: ACCT, address: held, gainingCarrier: 'Other Telco' }, operation);
    assert.equal(await db().portRequest.count({ where: { address: held, direction: 'OUT' } }), 1, 'one port request');
    assert.equal(again.id, first.id);
    assert.equal((await client.workflow.getHandle(endpointWorkflowId(held)).query(stateQuery)).state, 'PORTING_OUT');
  });

  it("a port-out retried after its port completed (the number no longer the account's) answers its first attempt's port request", async () => {
    const operation = randomUUID();
    const first = await portOut(deps(), who, { accountId: ACCT, address: portedOutFast }, operation);
    await until('PORTED_OUT', async () => (await db().endpoint.findUnique({ where: { address: portedOutFast } }))?.state === 'PORTED_OUT');
    // the API died before the answer was stored; the retry comes after the port completed
    const again = await portOut(deps(), who, { accountId: ACCT, address: portedOutFast }, operation);
    assert.equal(again.id, first.id);
    assert.equal(again.status, 'COMPLETED');
    assert.equal(await db().portRequest.count({ where: { address: portedOutFast, direction: 'OUT' } }), 1);
    // another request for the number is refused as before
    await assert.rejects(portOut(deps(), who, { accountId: ACCT, address: portedOutFast }, randomUUID()), /no endpoint .* held by account/);
  });

  it('a port-out whose first attempt died after its workflow update (no port request written) writes it on retry, once', async () => {
    const operation = randomUUID();
    // the first attempt got as far as the workflow update, then its process was killed
    await gateway.endpoint(portedOutHalfway).portOut({ accountId: ACCT, actor: `account:${ACCT}` }, `${operation}:port-out`);
    await until('PORTED_OUT', async () => (await db().endpoint.findUnique({ where: { address: portedOutHalfway } }))?.state === 'PORTED_OUT');
    const retried = await portOut(deps(), who, { accountId: ACCT, address: portedOutHalfway, gainingCarrier: 'Other Telco' }, operation);
    assert.equal(retried.status, 'COMPLETED');
    const again = await portOut(deps(), who, { accountId: ACCT, address: portedOutHalfway, gainingCarrier: 'Other Telco' }, operation);
    assert.equal(again.id, retried.id);
    assert.equal(await db().portRequest.count({ where: { address: portedOutHalfway, direction: 'OUT' } }), 1);
  });

  it('the same port-in run twice with the same operation id leaves one port request and one number, and answers it both times', async () => {
    const operation = randomUUID();
    const first = await portIn(deps(), who, { accountId: ACCT, address: portedIn }, operation);
    const again = await portIn(deps(), who, { accountId: ACCT, address: portedIn }, operation);
    assert.equal(again.id, first.id, 'the retry gets its first attempt’s port request, not "already managed here"');
    assert.equal(await db().portRequest.count({ where: { address: portedIn } }), 1);
    // another request for the same number is still refused
    await assert.rejects(portIn(deps(), who, { accountId: ACCT, address: portedIn }, randomUUID()), /already managed here/);
    assert.equal(await db().portRequest.count({ where: { address: portedIn } }), 1);
  });

  it('a port-in whose first attempt died after writing its request goes on from that request', async () => {
    const operation = randomUUID();
    // the first attempt got as far as the port request, then its process was killed
    const orphan = await createPort(db(), { direction: 'IN', address: portedInLate, accountId: ACCT, operationId: operation });
    const retried = await portIn(deps(), who, { accountId: ACCT, address: portedInLate }, operation);
    assert.equal(retried.id, orphan.id);
    assert.equal(await db().portRequest.count({ where: { address: portedInLate } }), 1);
    await until(
      'the number joins and passes its checks',
      async () => (await db().endpoint.findUnique({ where: { address: portedInLate } }))?.state === 'ALLOCATED',
    );
  });

  it('the same provider creation run twice with the same operation id makes one provider and answers it (with its secret) both times', async () => {
    const operation = randomUUID();
    const input = { id: providerId, name: 'Retried', kind: 'API' as const, apiBaseUrl: 'https://retried.example.com' };
    const first = await addProvider({ db: db() }, input, operation);
    const again = await addProvider({ db: db() }, input, operation);
    assert.equal(again.id, first.id);
    assert.equal(again.webhookSecret, first.webhookSecret, 'the retry gets the first answer, not a new secret');
    assert.equal(await db().provider.count({ where: { id: providerId } }), 1);
    await assert.rejects(addProvider({ db: db() }, input, randomUUID()), /exists already/);
  });
});
