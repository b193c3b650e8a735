// Allocation through the API on the real stack: 64 concurrent clients
// allocating by criteria from a grouping of 500 AVAILABLE endpoints — exactly
// 500 succeed, each endpoint once, the rest are told "none available".
import assert from 'node:assert/strict';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { lifecyclePolicy } from '../../src/config';
import { TemporalGateway } from '../../src/temporal/gateway';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { createWorker } from '../../workers/worker';
import { serve } from '../support/http';
import { SHARED_TASK_QUEUE, apiKey, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

describe('API: allocation', function () {
  this.timeout(180_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let key = '';
  let notices = 0;
  const N = 500;
  const config = () =>
    testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s', WORKER_MAX_CONCURRENT_ACTIVITIES: '200' });
  const allocate = (body: unknown, auth = key) =>
    fetch(`${app.url}/v1/allocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
      body: JSON.stringify(body),
    });

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: config(), notifier: { notify: () => notices++ } }));
    key = await apiKey('PLATFORM', ['acct-alloc']);
    // 500 SMS numbers in 425, through quarantine and their tests to AVAILABLE
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) },
      Array.from({ length: N }, (_, i) => ({ address: `+1425${String(2_000_000 + i * 13)}`, capable: { sms: true } })),
      { entry: 'quarantine', actor: 'test' },
    );
    for (let i = 0; i < 600 && (await db().endpoint.count({ where: { npa: '425', state: 'AVAILABLE' } })) < N; i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await db().endpoint.count({ where: { npa: '425', state: 'AVAILABLE' } }), N);
  });
  after(async () => {
    worker.shutdown();
    await running;
    await app.close();
    await gateway.close();
    await connection.close();
    await native.close();
  });

  it('64 concurrent clients: exactly 500 allocations, each endpoint once, the rest 409 none available', async () => {
    const won: string[] = [];
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (;;) {
          const res = await allocate({ accountId: 'acct-alloc', criteria: { npa: '425', capabilities: ['sms'] } });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const body = (await res.json()) as { address?: string; code?: string };
          if (res.status === 201) won.push(body.address!);
          else {
            assert.equal(res.status, 409, JSON.stringify(body));
            assert.equal(body.code, 'none_available');
            return;
          }
        }
      }),
    );
    assert.equal(won.length, N, JSON.stringify([...statuses]));
    assert.equal(new Set(won).size, N, 'no endpoint allocated twice');
    assert.equal(statuses.get(409), 64);
    assert.equal(await db().endpoint.count({ where: { npa: '425', state: 'ALLOCATED', accountId: 'acct-alloc' } }), N);
    const history = await db().endpointHistory.count({ where: { toState: 'ALLOCATED', endpoint: { npa: '425' } } });
    assert.equal(history, N, 'one ALLOCATED transition per endpoint');
    assert.ok(notices >= N);
  });

  it('releases an endpoint, which ages and comes back; reserves it; shows its history to its holder and operators only', async () => {
    const post = (path: string, body: unknown, auth = key) =>
      fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
        body: JSON.stringify(body),
      });
    const [one] = await db().endpoint.findMany({ where: { npa: '425', accountId: 'acct-alloc' }, take: 1 });
    const other = await apiKey('PLATFORM', ['acct-elsewhere']);
    assert.equal(
      (await post('/v1/releases', { accountId: 'acct-elsewhere', address: one!.address }, other)).status,
      404,
      "another account's endpoint does not exist for it",
    );
    assert.equal((await fetch(`${app.url}/v1/endpoints/${one!.address}`, { headers: { authorization: `Bearer ${other}` } })).status, 404);
    const released = await post('/v1/releases', { accountId: 'acct-alloc', address: one!.address });
    assert.equal(released.status, 200);
    assert.equal(((await released.json()) as { state: string }).state, 'AGING');
    for (let i = 0; i < 100 && (await db().endpoint.findUniqueOrThrow({ where: { id: one!.id } })).state !== 'AVAILABLE'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const reserved = await post('/v1/reservations', { accountId: 'acct-alloc', address: one!.address, minutes: 5 });
    assert.equal(reserved.status, 201);
    assert.equal(((await reserved.json()) as { state: string }).state, 'RESERVED');
    const twice = await post('/v1/reservations', { accountId: 'acct-alloc', address: one!.address });
    assert.equal(twice.status, 409);
    assert.match(((await twice.json()) as { detail: string }).detail, /endpoint is RESERVED, not AVAILABLE/);
    type Insight = { history: { toState: string; cause: string }[]; classifierTags: string[] };
    const insight = (await (await fetch(`${app.url}/v1/endpoints/${one!.address}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Insight;
    // issue 14: the holder sees its own holding periods (taken, released; reserved now), operators the full history
    assert.deepEqual(
      insight.history.map((h) => h.toState),
      ['ALLOCATED', 'AGING', 'RESERVED'],
    );
    assert.ok(insight.classifierTags.includes('npa:425'));
    const full = await fetch(`${app.url}/v1/endpoints/${one!.address}`, { headers: { authorization: `Bearer ${await apiKey('OPERATOR')}` } });
    assert.equal(full.status, 200);
    assert.deepEqual(
      ((await full.json()) as Insight).history.map((h) => h.toState),
      ['QUARANTINE', 'TESTING', 'AVAILABLE', 'ALLOCATED', 'AGING', 'TESTING', 'AVAILABLE', 'RESERVED'],
    );
  });

  it('allocates by address, refuses another account (404), the wrong scope (403) and bad input (400)', async () => {
    const [one] = await db().endpoint.findMany({ where: { npa: '425', state: 'ALLOCATED' }, take: 1 });
    const again = await allocate({ accountId: 'acct-alloc', address: one!.address });
    assert.equal(again.status, 409);
    assert.match(((await again.json()) as { detail: string }).detail, /already allocated to this account/);
    assert.equal((await allocate({ accountId: 'acct-other', criteria: { npa: '425' } })).status, 404);
    assert.equal((await allocate({ accountId: 'acct-alloc', criteria: { npa: '425' } }, await apiKey('OPERATOR'))).status, 403);
    const bad = await allocate({ accountId: 'acct-alloc', criteria: { npa: 'abc' }, colour: 1 });
    assert.equal(bad.status, 400);
    const fields = ((await bad.json()) as { errors: { field: string }[] }).errors.map((i) => i.field).sort();
    assert.deepEqual(fields, ['colour', 'criteria.npa']);
    assert.equal((await allocate({ accountId: 'acct-alloc', address: '+1 555 0100' })).status, 400);
    assert.equal((await allocate({ accountId: 'acct-alloc' })).status, 400);
  });
});
