// One tenant never touches or learns of another (issue 14, scenarios 3 and
// 4), on the real stack (worker, Temporal, PostgreSQL):
// - the call router's feeds are not a tenant's: POST /v1/traffic and GET
//   /v1/routes/{address} take router (and operator) keys, and a platform key
//   — which could otherwise lengthen another account's quarantine — is 403;
// - insight shows an account only its own holding periods, and a refusal of
//   reserve, allocation by address or port-in never describes another
//   account's holding.
import assert from 'node:assert/strict';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { lifecyclePolicy } from '../../src/config';
import { TemporalGateway } from '../../src/temporal/gateway';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { createWorker } from '../../workers/worker';
import { endpointWorkflowId, stateQuery } from '../../workflows/shared';
import { serve } from '../support/http';
import { SHARED_TASK_QUEUE, apiKey, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

interface ErrorBody {
  code: string;
  detail: string;
}
interface History {
  toState: string;
  actor: string;
  cause: string;
  accountId?: string | null;
}

const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const A = 'acct-tenancy-a';
const B = 'acct-tenancy-b';
/** numbers that age for a second after a release, then are tested and back on the shelf */
const QUICK = ['+14795550101', '+14795550108', '+14795550115', '+14795550122'];
/** a number that ages for an hour once released: the traffic feed judges it all that time */
const SLOW = '+14795550200';

describe('tenancy: the call router’s feeds, insight and refusals', function () {
  this.timeout(120_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let keyA = '';
  let keyB = '';
  let operator = '';
  const config = (extra: Record<string, string> = {}) =>
    testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s', ...extra });
  const call = (method: string, path: string, auth: string, body?: unknown) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const ok = async <T>(res: Response, status: number): Promise<T> => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as T;
  };
  const enc = encodeURIComponent;
  const state = async (address: string) => (await db().endpoint.findUniqueOrThrow({ where: { address } })).state;
  const workflowState = (address: string) => client.workflow.getHandle(endpointWorkflowId(address)).query(stateQuery);

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: config() }));
    [keyA, keyB, operator] = await Promise.all([apiKey('PLATFORM', [A]), apiKey('PLATFORM', [B]), apiKey('OPERATOR')]);
    // the lifecycle policy is fixed per workflow when it starts: SLOW ages for an hour
    const ingest = (addresses: string[], aging: string) =>
      ingestEndpoints(
        { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config({ QUARANTINE_AGING: aging })) },
        addresses.map((address) => ({ address, capable: { voice: true, sms: true } })),
        { entry: 'quarantine', actor: 'test' },
      );
    await ingest(QUICK, '1s');
    await ingest([SLOW], '1h');
    await until(
      'all AVAILABLE',
      async () => (await db().endpoint.count({ where: { address: { in: [...QUICK, SLOW] }, state: 'AVAILABLE' } })) === QUICK.length + 1,
    );
  });
  after(async () => {
    worker.shutdown();
    await running;
    await app.close();
    await gateway.close();
    await connection.close();
    await native.close();
  });

  it('traffic: a platform key — another account’s or the holder’s — is 403 on an aging number; the router’s key is 202 and counted', async () => {
    await ok(await call('POST', '/v1/allocations', keyA, { accountId: A, address: SLOW }), 201);
    const aging = await ok<{ state: string }>(await call('POST', '/v1/releases', keyA, { accountId: A, address: SLOW }), 200);
    assert.equal(aging.state, 'AGING');
    // account B's key would lengthen (or end in rejection) the quarantine of A's just-released number
    const theirs = await call('POST', '/v1/traffic', keyB, { address: SLOW, medium: 'voice', count: 10_000 });
    assert.equal(theirs.status, 403, `a platform key feeding traffic for another account's aging number: ${await theirs.text()}`);
    assert.equal((await ok<ErrorBody>(await call('POST', '/v1/traffic', keyA, { address: SLOW, medium: 'messaging', count: 10_000 }), 403)).code, 'forbidden');
    // the call router's key is taken, and its traffic is what the workflow counts
    const router = await apiKey('ROUTER');
    assert.deepEqual(await ok(await call('POST', '/v1/traffic', router, { address: SLOW, medium: 'voice', count: 3 }), 202), { status: 'accepted' });
    await until('the router’s 3 calls counted', async () => (await workflowState(SLOW)).voiceEvents === 3);
    const s = await workflowState(SLOW);
    assert.deepEqual([s.state, s.voiceEvents, s.messagingEvents], ['AGING', 3, 0], 'nothing of the platform keys’ traffic reached the workflow');
    // operators keep the feed
    await ok(await call('POST', '/v1/traffic', operator, { address: SLOW, medium: 'messaging', count: 1 }), 202);
  });

  it('routing lookup: the router’s key gets the route; platform keys are 403', async () => {
    const [held] = QUICK;
    await ok(await call('POST', '/v1/allocations', keyA, { accountId: A, address: held, applicationUri: 'sip:a@tenancy.example.com' }), 201);
    assert.equal((await call('GET', `/v1/routes/${enc(held!)}`, keyA)).status, 403, 'the holder’s platform key');
    assert.equal((await call('GET', `/v1/routes/${enc(held!)}`, keyB)).status, 403, 'another account’s platform key');
    const route = await ok(await call('GET', `/v1/routes/${enc(held!)}`, await apiKey('ROUTER')), 200);
    assert.deepEqual(route, { address: held, accountId: A, applicationUri: 'sip:a@tenancy.example.com', state: 'ALLOCATED' });
    await ok(await call('POST', '/v1/releases', keyA, { accountId: A, address: held }), 200);
    assert.equal((await call('GET', `/v1/routes/${enc(held!)}`, await apiKey('ROUTER'))).status, 404, 'released: no route');
  });

  it('insight: account B, on a number A held and released, sees nothing of A; A sees its own holding only; operators all', async () => {
    const address = QUICK[3]!;
    await ok(await call('POST', '/v1/allocations', keyA, { accountId: A, address, applicationUri: 'sip:a@tenancy.example.com' }), 201);
    await ok(await call('POST', '/v1/releases', keyA, { accountId: A, address }), 200);
    await until('back on the shelf', async () => (await state(address)) === 'AVAILABLE');
    // operators see the whole history, A's key and account included: there is something to hide
    const full = await ok<{ history: History[] }>(await call('GET', `/v1/endpoints/${enc(address)}`, operator), 200);
    assert.match(JSON.stringify(full), new RegExp(A));
    assert.deepEqual(
      full.history.map((h) => h.toState),
      ['QUARANTINE', 'TESTING', 'AVAILABLE', 'ALLOCATED', 'AGING', 'TESTING', 'AVAILABLE'],
    );

    const seen = await call('GET', `/v1/endpoints/${enc(address)}`, keyB);
    const text = await seen.text();
    assert.equal(seen.status, 200, text);
    assert.doesNotMatch(text, new RegExp(A), `B's insight names account A or its key: ${text}`);
    const theirs = JSON.parse(text) as { state: string; accountId: string | null; applicationUri: string | null; history: History[] };
    assert.deepEqual([theirs.state, theirs.accountId, theirs.applicationUri], ['AVAILABLE', null, null]);
    assert.deepEqual(theirs.history, [], 'B never held it: no history of it');

    const mine = await ok<{ history: History[] }>(await call('GET', `/v1/endpoints/${enc(address)}`, keyA), 200);
    assert.deepEqual(
      mine.history.map((h) => [h.toState, h.accountId ?? null]),
      [
        ['ALLOCATED', A],
        ['AGING', null],
      ],
      'its holding: taken and released',
    );
    assert.ok(
      mine.history.every((h) => h.actor === `key:test PLATFORM:${A}`),
      JSON.stringify(mine.history),
    );

    // B takes it: B sees its own holding, still nothing of A's
    await ok(await call('POST', '/v1/allocations', keyB, { accountId: B, address }), 201);
    const now = await call('GET', `/v1/endpoints/${enc(address)}`, keyB);
    const nowText = await now.text();
    assert.equal(now.status, 200, nowText);
    assert.doesNotMatch(nowText, new RegExp(A));
    assert.deepEqual(
      (JSON.parse(nowText) as { history: History[] }).history.map((h) => h.toState),
      ['ALLOCATED'],
    );
    // and A no longer sees the record at all (B's now)
    assert.equal((await call('GET', `/v1/endpoints/${enc(address)}`, keyA)).status, 404);
  });

  it('refusals: B’s reserve, allocation by address and port-in of A’s numbers say only "not available"; A’s own say why', async () => {
    const [, allocated, reserved] = QUICK;
    await ok(await call('POST', '/v1/allocations', keyA, { accountId: A, address: allocated }), 201);
    await ok(await call('POST', '/v1/reservations', keyA, { accountId: A, address: reserved, minutes: 30 }), 201);
    const neutral = async (res: Response, address: string, what: string) => {
      const body = await ok<ErrorBody>(res, 409);
      assert.equal(body.code, 'conflict', what);
      assert.equal(body.detail, `address: ${address} is not available`, what);
      assert.doesNotMatch(body.detail, /ALLOCATED|RESERVED|AGING|QUARANTINE|held|another account|acct-/, what);
    };
    for (const address of [allocated!, reserved!]) {
      await neutral(await call('POST', '/v1/reservations', keyB, { accountId: B, address }), address, `B reserves ${address}`);
      await neutral(await call('POST', '/v1/allocations', keyB, { accountId: B, address }), address, `B allocates ${address}`);
      await neutral(await call('POST', '/v1/port-ins', keyB, { accountId: B, address }), address, `B ports in ${address}`);
    }
    // an aging number (someone just let it go) is no different
    await neutral(await call('POST', '/v1/reservations', keyB, { accountId: B, address: SLOW }), SLOW, 'B reserves an aging number');
    await neutral(await call('POST', '/v1/port-ins', keyB, { accountId: B, address: SLOW }), SLOW, 'B ports in an aging number');
    assert.equal(await db().portRequest.count({ where: { accountId: B } }), 0, 'no port request recorded for a refusal');

    // the account's own holding is explained to it
    assert.match(
      (await ok<ErrorBody>(await call('POST', '/v1/reservations', keyA, { accountId: A, address: allocated }), 409)).detail,
      /endpoint is ALLOCATED, not AVAILABLE/,
    );
    assert.match(
      (await ok<ErrorBody>(await call('POST', '/v1/allocations', keyA, { accountId: A, address: allocated }), 409)).detail,
      /already allocated to this account/,
    );
    assert.match(
      (await ok<ErrorBody>(await call('POST', '/v1/port-ins', keyA, { accountId: A, address: allocated }), 409)).detail,
      /already managed here \(ALLOCATED\)/,
    );
    assert.match(
      (await ok<ErrorBody>(await call('POST', '/v1/reservations', keyA, { accountId: A, address: reserved }), 409)).detail,
      /endpoint is RESERVED, not AVAILABLE/,
    );
    // nothing changed hands
    assert.deepEqual(
      (await db().endpoint.findMany({ where: { address: { in: [allocated!, reserved!] } }, orderBy: { address: 'asc' } })).map((e) => [e.state, e.accountId]),
      [
        ['ALLOCATED', A],
        ['RESERVED', A],
      ],
    );
  });
});
