// The account's other verbs on the real stack (worker, Temporal, PostgreSQL):
// routing lookup, exchange, quality feedback, port-out and port-in with their
// status; Idempotency-Key on allocation (never a second endpoint); operators'
// providers and reconciliation; carrier keys on their own orders only.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { createApiKey } from '../../src/usecases/keys';
import { lifecyclePolicy } from '../../src/config';
import { TemporalGateway } from '../../src/temporal/gateway';
import { allocator } from '../../src/usecases/allocate';
import { exchange } from '../../src/usecases/exchange';
import type { Caller } from '../../src/domain/access';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { createWorker } from '../../workers/worker';
import { inboundTrafficSignal, stateQuery } from '../../workflows/shared';
import { serve } from '../support/http';
import { recordHistory } from '../support/replay';
import { SHARED_TASK_QUEUE, apiKey, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

interface Status {
  address: string;
  state: string;
  accountId: string | null;
}
interface ErrorBody {
  code: string;
  detail: string;
  errors?: { field: string; reason: string }[];
}
interface Port {
  id: string;
  status: string;
  endpointState: string | null;
  reason: string | null;
  direction: string;
}

const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('API: routing, exchange, feedback, ports, providers, reconciliation', function () {
  this.timeout(120_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let key = '';
  let other = '';
  let operator = '';
  const ACCT = 'acct-life';
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s', PORT_OUT_DURATION: '1s' });
  const call = (method: string, path: string, body?: unknown, auth = key, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}`, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const ok = async <T>(res: Response, status: number): Promise<T> => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as T;
  };
  const enc = encodeURIComponent;
  /** numbers through quarantine and their tests to AVAILABLE, like the suite's own 206 */
  const shelve = async (npa: string, n: number, policy = lifecyclePolicy(config())) => {
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy },
      Array.from({ length: n }, (_, i) => ({ address: `+1${npa}${String(5_550_400 + i * 7)}`, capable: { voice: true, sms: true } })),
      { entry: 'quarantine', actor: 'test' },
    );
    await until(`${n} AVAILABLE in ${npa}`, async () => (await db().endpoint.count({ where: { npa, state: 'AVAILABLE' } })) === n);
  };
  /**
   * A gateway whose chosen update reaches its workflow and is applied, but
   * whose answer is lost on the way back (`after`), or that is lost on the way
   * there (`before`): once each, for the update named.
   */
  const lossyGateway = (loss: { update: string; when: 'after' | 'before' }) => {
    let armed = true;
    const lost = (name: string) => {
      if (!armed || name !== loss.update) return false;
      armed = false;
      return true;
    };
    return Object.assign(new TemporalGateway('(unused)', 'default'), {
      client: async () => {
        const real = await gateway.client();
        return {
          // the gateway bounds its wait for an update with the client's deadline
          withDeadline: real.withDeadline.bind(real),
          workflow: {
            getHandle: (id: string) => {
              const handle = real.workflow.getHandle(id);
              return {
                query: handle.query.bind(handle),
                executeUpdate: async (...args: Parameters<typeof handle.executeUpdate>) => {
                  const name = typeof args[0] === 'string' ? args[0] : args[0].name;
                  if (loss.when === 'before' && lost(name)) throw new Error('connection reset (test)');
                  const result = await handle.executeUpdate(...args);
                  if (loss.when === 'after' && lost(name)) throw new Error('connection reset (test)');
                  return result;
                },
              };
            },
          },
        };
      },
    });
  };
  const caller = (accountIds: string[]): Caller => ({
    keyId: randomUUID(),
    name: 'test key',
    scope: 'PLATFORM',
    accountIds,
    providerId: null,
    rateLimit: null,
  });

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: config() }));
    key = await apiKey('PLATFORM', [ACCT]);
    other = await apiKey('PLATFORM', ['acct-life-other']);
    operator = await apiKey('OPERATOR');
    // 12 voice + SMS numbers in 206, through quarantine and their tests to AVAILABLE
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) },
      Array.from({ length: 12 }, (_, i) => ({ address: `+1206${String(5_550_100 + i * 7)}`, capable: { voice: true, sms: true } })),
      { entry: 'quarantine', actor: 'test' },
    );
    await until('12 AVAILABLE', async () => (await db().endpoint.count({ where: { npa: '206', state: 'AVAILABLE' } })) === 12);
  });
  after(async () => {
    worker.shutdown();
    await running;
    await app.close();
    await gateway.close();
    await connection.close();
    await native.close();
  });

  it('Idempotency-Key on allocation: concurrent and repeated requests allocate one endpoint, and all get its answer', async () => {
    const body = { accountId: ACCT, criteria: { npa: '206', capabilities: ['sms'] }, applicationUri: 'sip:app-1@apps.example.com' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('POST', '/v1/allocations', body, key, { 'idempotency-key': 'alloc-once' })));
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: (await r.json()) as Status & ErrorBody })));
    for (const b of bodies) assert.ok(b.status === 201 || (b.status === 409 && b.body.code === 'idempotency_in_progress'), JSON.stringify(b));
    const won = new Set(bodies.filter((b) => b.status === 201).map((b) => b.body.address));
    assert.ok(won.size <= 1, `one endpoint at most, got ${[...won].join(', ')}`);
    // the retry after the dust settles gets the first answer
    const replay = await call('POST', '/v1/allocations', body, key, { 'idempotency-key': 'alloc-once' });
    const first = await ok<Status>(replay, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    if (won.size) assert.equal(first.address, [...won][0]);
    assert.equal(await db().endpoint.count({ where: { npa: '206', accountId: ACCT } }), 1, 'never a second allocation');
  });

  it('routing lookup: an allocated endpoint routes to its application URI; others are 404; bad addresses 400; the call router’s, not a tenant’s', async () => {
    const [mine] = await db().endpoint.findMany({ where: { npa: '206', accountId: ACCT } });
    const route = await ok<{ applicationUri: string; accountId: string; state: string }>(
      await call('GET', `/v1/routes/${enc(mine!.address)}`, undefined, operator),
      200,
    );
    assert.deepEqual(route, { address: mine!.address, accountId: ACCT, applicationUri: 'sip:app-1@apps.example.com', state: 'ALLOCATED' });
    assert.deepEqual(
      await ok(await call('GET', `/v1/routes/${enc(mine!.address)}`, undefined, await apiKey('ROUTER')), 200),
      route,
      'the call router looks it up',
    );
    // issue 14: routing lookups are the call router's; a platform key — its holder's or another's — is refused
    assert.equal((await call('GET', `/v1/routes/${enc(mine!.address)}`)).status, 403, 'its holder’s platform key');
    assert.equal((await call('GET', `/v1/routes/${enc(mine!.address)}`, undefined, other)).status, 403, "another account's platform key");
    const [free] = await db().endpoint.findMany({ where: { npa: '206', state: 'AVAILABLE' }, take: 1 });
    assert.equal((await call('GET', `/v1/routes/${enc(free!.address)}`, undefined, operator)).status, 404);
    const bad = await ok<ErrorBody>(await call('GET', `/v1/routes/${enc('+1 555')}`, undefined, operator), 400);
    assert.equal(bad.errors![0]!.field, 'address');
  });

  it('exchange: the new endpoint takes the old one’s application URI and the old one is released; refusals name the reason', async () => {
    const [old] = await db().endpoint.findMany({ where: { npa: '206', accountId: ACCT } });
    const done = await ok<{ allocated: Status; released: Status }>(await call('POST', '/v1/exchanges', { accountId: ACCT, address: old!.address }), 201);
    assert.notEqual(done.allocated.address, old!.address);
    assert.equal(done.allocated.state, 'ALLOCATED');
    assert.equal(done.released.state, 'AGING');
    const route = await ok<{ applicationUri: string }>(await call('GET', `/v1/routes/${enc(done.allocated.address)}`, undefined, operator), 200);
    assert.equal(route.applicationUri, 'sip:app-1@apps.example.com');
    assert.equal((await call('GET', `/v1/routes/${enc(old!.address)}`, undefined, operator)).status, 404, 'the old one no longer routes');
    // not held any more / another account / the same address
    assert.equal((await call('POST', '/v1/exchanges', { accountId: ACCT, address: old!.address })).status, 404);
    assert.equal((await call('POST', '/v1/exchanges', { accountId: 'acct-life-other', address: done.allocated.address }, other)).status, 404);
    const same = await ok<ErrorBody>(
      await call('POST', '/v1/exchanges', { accountId: ACCT, address: done.allocated.address, newAddress: done.allocated.address }),
      400,
    );
    assert.equal(same.errors![0]!.field, 'newAddress');
    const none = await ok<ErrorBody>(await call('POST', '/v1/exchanges', { accountId: ACCT, address: done.allocated.address, criteria: { npa: '212' } }), 409);
    assert.equal(none.code, 'none_available');
    assert.equal(
      (await db().endpoint.findUniqueOrThrow({ where: { address: done.allocated.address } })).state,
      'ALLOCATED',
      'a failed exchange keeps the old endpoint',
    );
  });

  it('quality feedback: a good score is recorded; a bad one sends the endpoint back to testing and it returns to its holder', async () => {
    const [mine] = await db().endpoint.findMany({ where: { npa: '206', accountId: ACCT, state: 'ALLOCATED' } });
    await ok(await call('POST', '/v1/feedback', { accountId: ACCT, address: mine!.address, score: 0.93, source: 'call-quality' }), 202);
    await until('score 0.93', async () => (await db().endpoint.findUniqueOrThrow({ where: { id: mine!.id } })).qualityScore === 0.93);
    await ok(await call('POST', '/v1/feedback', { accountId: ACCT, address: mine!.address, score: 0.1 }), 202);
    await until(
      'retested',
      async () => (await db().endpointHistory.count({ where: { endpointId: mine!.id, toState: 'TESTING', fromState: 'ALLOCATED' } })) === 1,
    );
    await until('back to its holder', async () => (await db().endpoint.findUniqueOrThrow({ where: { id: mine!.id } })).state === 'ALLOCATED');
    // the row is written by the workflow's activity a moment before the workflow itself moves on
    await until('its workflow too', async () => (await client.workflow.getHandle(`endpoint/${mine!.address}`).query(stateQuery)).state === 'ALLOCATED');
    assert.equal((await db().endpoint.findUniqueOrThrow({ where: { id: mine!.id } })).accountId, ACCT);
    assert.equal((await call('POST', '/v1/feedback', { accountId: 'acct-life-other', address: mine!.address, score: 0.5 }, other)).status, 404);
    const bad = await ok<ErrorBody>(await call('POST', '/v1/feedback', { accountId: ACCT, address: mine!.address, score: 2 }), 400);
    assert.equal(bad.errors![0]!.field, 'score');
  });

  it('port-out: the endpoint routes until the port completes, then it is gone; the request shows where it stands', async () => {
    const [mine] = await db().endpoint.findMany({ where: { npa: '206', accountId: ACCT, state: 'ALLOCATED' } });
    assert.equal((await call('POST', '/v1/port-outs', { accountId: 'acct-life-other', address: mine!.address }, other)).status, 404);
    const started = await ok<Port>(await call('POST', '/v1/port-outs', { accountId: ACCT, address: mine!.address, gainingCarrier: 'Other Telco' }), 202);
    assert.equal(started.direction, 'OUT');
    assert.equal(started.status, 'IN_PROGRESS');
    assert.equal(started.endpointState, 'PORTING_OUT');
    await until('ported out', async () => (await ok<Port>(await call('GET', `/v1/ports/${started.id}`), 200)).status === 'COMPLETED');
    const done = await ok<Port & { gainingCarrier: string }>(await call('GET', `/v1/ports/${started.id}`, undefined, operator), 200);
    assert.equal(done.endpointState, 'PORTED_OUT');
    assert.equal(done.gainingCarrier, 'Other Telco');
    assert.equal((await call('GET', `/v1/routes/${enc(mine!.address)}`, undefined, operator)).status, 404);
    assert.equal((await call('GET', `/v1/ports/${started.id}`, undefined, other)).status, 404, "another account's port request does not exist for it");
    assert.equal((await call('POST', '/v1/port-outs', { accountId: ACCT, address: mine!.address })).status, 404, 'not held any more');
  });

  it('port-in: a new number joins as PORTING_IN, passes its tests and is the account’s; a managed number is a 409', async () => {
    const address = '+12065559900';
    const started = await ok<Port>(
      await call('POST', '/v1/port-ins', { accountId: ACCT, address, losingCarrier: 'Old Telco', capabilities: ['voice', 'sms'] }),
      202,
    );
    assert.equal(started.direction, 'IN');
    assert.ok(['IN_PROGRESS', 'COMPLETED'].includes(started.status));
    await until('ported in', async () => (await ok<Port>(await call('GET', `/v1/ports/${started.id}`), 200)).status !== 'IN_PROGRESS');
    const done = await ok<Port>(await call('GET', `/v1/ports/${started.id}`), 200);
    assert.equal(done.status, 'COMPLETED', JSON.stringify(done));
    assert.equal(done.endpointState, 'ALLOCATED');
    assert.match(done.reason ?? '', /ported in/);
    const row = await db().endpoint.findUniqueOrThrow({ where: { address } });
    assert.equal(row.accountId, ACCT);
    assert.equal(row.state, 'ALLOCATED');
    const again = await ok<ErrorBody>(await call('POST', '/v1/port-ins', { accountId: ACCT, address }), 409);
    assert.match(again.detail, /already managed here \(ALLOCATED\)/);
    assert.equal((await call('POST', '/v1/port-ins', { accountId: 'acct-life-other', address: '+12065559901' })).status, 404, 'not one of this key’s accounts');
    assert.equal((await call('GET', '/v1/ports/00000000-0000-4000-8000-000000000000')).status, 404);
  });

  it('providers: create (the webhook secret shown once), list without secrets, change; bad input named', async () => {
    const created = await ok<{ id: string; webhookSecret: string; hasWebhookSecret: boolean }>(
      await call(
        'POST',
        '/v1/providers',
        { id: 'life-carrier', name: 'Life Carrier', kind: 'api', apiBaseUrl: 'http://127.0.0.1:1/api', npas: ['206'], costPerNumberCents: 100 },
        operator,
      ),
      201,
    );
    assert.ok(created.webhookSecret.length >= 16);
    assert.equal(created.hasWebhookSecret, true);
    const list = await ok<{ providers: Record<string, unknown>[] }>(await call('GET', '/v1/providers', undefined, operator), 200);
    const mine = list.providers.find((p) => p.id === 'life-carrier')!;
    assert.equal(mine.hasWebhookSecret, true);
    assert.ok(!('webhookSecret' in mine), 'secrets are never read back');
    const changed = await ok<{ costPerNumberCents: number; active: boolean }>(
      await call('PATCH', '/v1/providers/life-carrier', { costPerNumberCents: 80, active: false }, operator),
      200,
    );
    assert.deepEqual([changed.costPerNumberCents, changed.active], [80, false]);
    assert.equal((await call('PATCH', '/v1/providers/no-such-carrier', { active: true }, operator)).status, 404);
    assert.equal((await call('POST', '/v1/providers', { id: 'life-carrier', name: 'again', kind: 'manual' }, operator)).status, 409);
    const noUrl = await ok<ErrorBody>(await call('POST', '/v1/providers', { id: 'life-carrier-2', name: 'x', kind: 'api' }, operator), 400);
    assert.equal(noUrl.errors![0]!.field, 'apiBaseUrl');
    const unset = await ok<ErrorBody>(await call('PATCH', '/v1/providers/life-carrier', { apiBaseUrl: null }, operator), 400);
    assert.equal(unset.errors![0]!.field, 'apiBaseUrl');
    assert.equal((await call('GET', '/v1/providers', undefined, key)).status, 403);
  });

  /** what an API process that died before storing its answer leaves: the record still running, its lease long gone */
  const answerLost = (k: string) =>
    db().idempotencyRecord.updateMany({
      where: { key: k },
      data: { status: 'IN_PROGRESS', responseStatus: null, createdAt: new Date(Date.now() - 3_600_000) },
    });

  it('a retried release whose first answer was lost gets that answer, even after the endpoint went to someone else', async () => {
    const first = await ok<Status>(await call('POST', '/v1/allocations', { accountId: ACCT, criteria: { npa: '206' } }), 201);
    const released = await call('POST', '/v1/releases', { accountId: ACCT, address: first.address }, key, { 'idempotency-key': 'release-lost-answer' });
    const answer = await ok<Status>(released, 200);
    assert.equal(answer.state, 'AGING');
    // the answer never reached the client and was not kept (say the API died before storing it)
    await answerLost('release-lost-answer');
    await until('available again', async () => (await db().endpoint.findUniqueOrThrow({ where: { address: first.address } })).state === 'AVAILABLE');
    const theirs = await ok<Status>(await call('POST', '/v1/allocations', { accountId: 'acct-life-other', address: first.address }, other), 201);
    assert.equal(theirs.accountId, 'acct-life-other');
    // the retry lands on the same workflow update: its first result, nothing released again
    const retried = await ok<Status>(
      await call('POST', '/v1/releases', { accountId: ACCT, address: first.address }, key, { 'idempotency-key': 'release-lost-answer' }),
      200,
    );
    assert.deepEqual(retried, answer);
    const row = await db().endpoint.findUniqueOrThrow({ where: { address: first.address } });
    assert.deepEqual([row.state, row.accountId], ['ALLOCATED', 'acct-life-other']);
    // the same for an allocation by criteria: the retry finds the endpoint its first attempt claimed
    const alloc = await ok<Status>(
      await call('POST', '/v1/allocations', { accountId: ACCT, criteria: { npa: '206' } }, key, { 'idempotency-key': 'alloc-lost-answer' }),
      201,
    );
    await answerLost('alloc-lost-answer');
    const held = () => db().endpoint.count({ where: { accountId: ACCT, state: 'ALLOCATED' } });
    const before = await held();
    const again = await ok<Status>(
      await call('POST', '/v1/allocations', { accountId: ACCT, criteria: { npa: '206' } }, key, { 'idempotency-key': 'alloc-lost-answer' }),
      201,
    );
    assert.equal(again.address, alloc.address, 'the same endpoint, not a second one');
    assert.equal(await held(), before, 'nothing more allocated');
    // and another account's endpoint is still a 404 for a release
    assert.equal((await call('POST', '/v1/releases', { accountId: ACCT, address: first.address })).status, 404);
  });

  it('an allocation by criteria whose answer was lost in transit (not refused) keeps its claim: the retry gets that endpoint, not a second one', async () => {
    // found by the fault suite: endpoints allocated that no client was told about
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) },
      Array.from({ length: 2 }, (_, i) => ({ address: `+1907${String(5_550_300 + i * 7)}`, capable: { voice: true, sms: true } })),
      { entry: 'quarantine', actor: 'test' },
    );
    await until('2 AVAILABLE in 907', async () => (await db().endpoint.count({ where: { npa: '907', state: 'AVAILABLE' } })) === 2);
    // the update reaches the workflow and is applied; its answer is lost on the way back
    let lose = true;
    const real = await gateway.client();
    const lossy = Object.assign(new TemporalGateway('(unused)', 'default'), {
      client: () =>
        Promise.resolve({
          withDeadline: real.withDeadline.bind(real),
          workflow: {
            getHandle: (id: string) => {
              const handle = real.workflow.getHandle(id);
              return {
                executeUpdate: async (...args: Parameters<typeof handle.executeUpdate>) => {
                  const result = await handle.executeUpdate(...args);
                  if (lose) {
                    lose = false;
                    throw new Error('connection reset (test)');
                  }
                  return result;
                },
              };
            },
          },
        }),
    });
    const allocate = allocator({ db: db(), temporal: lossy, notify: () => {} });
    const input = { criteria: { npa: '907' }, accountId: ACCT, actor: 'test', operation: randomUUID(), resumable: true };
    await assert.rejects(allocate.byCriteria(input), /connection reset/);
    const retried = await allocate.byCriteria(input);
    const held = await db().endpoint.findMany({ where: { npa: '907', state: 'ALLOCATED' }, select: { address: true } });
    assert.deepEqual(
      held.map((e) => e.address),
      [retried.address],
      'one endpoint allocated, the one the client was told',
    );
  });

  it('carrier keys deliver for their own orders only; reconciliation over HTTP finds no drift', async () => {
    const order = await db().providerOrder.create({
      data: { providerId: 'life-carrier', direction: 'ACQUIRE', idempotencyKey: 'life-order-1', status: 'SUBMITTED' },
    });
    await db().provider.create({ data: { id: 'life-other-carrier', name: 'Other', kind: 'MANUAL' } });
    try {
      const own = (await createApiKey(db(), { name: 'life carrier', scope: 'CARRIER', providerId: 'life-carrier' })).key;
      const stranger = (await createApiKey(db(), { name: 'other carrier', scope: 'CARRIER', providerId: 'life-other-carrier' })).key;
      assert.equal((await call('POST', `/v1/orders/${order.id}/deliveries`, { numbers: ['+12065550000'] }, stranger)).status, 404);
      // its own order: past the scope check (the order has no running workflow here: closed)
      const closed = await ok<ErrorBody>(await call('POST', `/v1/orders/${order.id}/deliveries`, { numbers: ['+12065550000'] }, own), 404);
      assert.match(closed.detail, /is closed/);
      assert.equal((await call('POST', `/v1/orders/${order.id}/deliveries`, { numbers: ['+12065550000'] }, key)).status, 403);
    } finally {
      await db().providerOrder.delete({ where: { id: order.id } });
    }
    const report = await ok<{ workflows: number; rows: number; drift: { address: string }[] }>(await call('POST', '/v1/reconciliations', {}, operator), 200);
    assert.ok(report.workflows >= 12, JSON.stringify(report)); // 12 delivered + 1 ported in - 1 ported out (its workflow ended)
    assert.deepEqual(
      report.drift.filter((d) => d.address.startsWith('+1206')),
      [],
    );
    assert.equal((await call('POST', '/v1/reconciliations', { repair: 'yes' }, operator)).status, 400);
  });

  it('exchange: a release whose answer is lost undoes nothing; the retry with the same key finishes it — the old one released, one new one', async () => {
    await shelve('458', 4);
    const held = async () =>
      (await db().endpoint.findMany({ where: { npa: '458', accountId: ACCT, state: 'ALLOCATED' }, select: { address: true } })).map((e) => e.address);
    const old = await allocator({ db: db(), temporal: gateway, notify: () => {} }).byCriteria({
      criteria: { npa: '458' },
      accountId: ACCT,
      actor: 'test',
      operation: randomUUID(),
    });
    const who = caller([ACCT]);

    // the release of the old number is applied; its answer is lost on the way back
    const lossy = { db: db(), temporal: lossyGateway({ update: 'release', when: 'after' }), notify: () => {} };
    const run = { operation: randomUUID(), resumable: true };
    await assert.rejects(exchange(lossy, who, { accountId: ACCT, address: old.address }, run), /connection reset/);
    const oldRow = await db().endpoint.findUniqueOrThrow({ where: { address: old.address } });
    assert.equal(oldRow.accountId, null, 'the old one was released');
    const kept = await held();
    assert.equal(kept.length, 1, `the new one is kept, not given back: the account must not be left with no number (holds ${kept.join(', ') || 'none'})`);
    assert.notEqual(kept[0], old.address);
    // the client's retry with the same Idempotency-Key (the same operation) finishes the exchange
    const done = await exchange(lossy, who, { accountId: ACCT, address: old.address }, run);
    assert.deepEqual([done.allocated.address, done.allocated.state, done.allocated.accountId], [kept[0], 'ALLOCATED', ACCT]);
    assert.deepEqual([done.released.address, done.released.state], [old.address, 'AGING']);
    assert.deepEqual(await held(), kept, 'one new number, no second one');

    // lost on the way there (nothing released): the retry takes the endpoint its first attempt allocated, not a second
    const mine = kept[0]!;
    const lostBefore = { db: db(), temporal: lossyGateway({ update: 'release', when: 'before' }), notify: () => {} };
    const again = { operation: randomUUID(), resumable: true };
    await assert.rejects(exchange(lostBefore, who, { accountId: ACCT, address: mine }, again), /connection reset/);
    const both = await held();
    assert.equal(both.length, 2, 'the old one still held, the new one kept');
    const finished = await exchange(lostBefore, who, { accountId: ACCT, address: mine }, again);
    assert.deepEqual([finished.released.address, finished.released.state], [mine, 'AGING']);
    assert.deepEqual(
      await held(),
      both.filter((a) => a !== mine),
      'the new one from the first attempt, nothing more',
    );
    assert.equal(
      finished.allocated.address,
      both.find((a) => a !== mine),
    );
  });

  it('a retried allocation after its endpoint’s workflow continued as new is answered, not refused: no second endpoint', async () => {
    // a short history limit: traffic alone makes the workflow continue as new
    await shelve('564', 2, { ...lifecyclePolicy(config()), historyLimit: 20 });
    const allocate = allocator({ db: db(), temporal: gateway, notify: () => {} });
    const input = { criteria: { npa: '564' }, accountId: ACCT, actor: 'test', operation: randomUUID(), resumable: true };
    const first = await allocate.byCriteria(input);
    const h = client.workflow.getHandle(`endpoint/${first.address}`);
    const { runId } = await h.describe();
    // traffic is ignored while ALLOCATED, but grows the history past its limit
    await until('continued as new', async () => {
      await h.signal(inboundTrafficSignal, { medium: 'voice' });
      return (await h.describe()).runId !== runId;
    });
    const { runId: newRun } = await h.describe();
    // the workflow itself answers the repeated update id in its new run, where Temporal knows nothing of it
    const endpoint = gateway.endpoint(first.address);
    assert.deepEqual(await endpoint.allocate({ accountId: ACCT, actor: 'test' }, `${input.operation}:allocate`), first);
    // another operation is judged as ever
    await assert.rejects(endpoint.allocate({ accountId: ACCT, actor: 'test' }, `${randomUUID()}:allocate`), /already allocated to this account/);
    // the same request again (its answer lost, say): the same update id reaches the new run
    const retried = await allocate.byCriteria(input);
    assert.equal(retried.address, first.address, 'the same endpoint, not a second one');
    assert.deepEqual([retried.state, retried.accountId, retried.version], ['ALLOCATED', ACCT, first.version]);
    const held = await db().endpoint.findMany({ where: { npa: '564', state: 'ALLOCATED' }, select: { address: true } });
    assert.deepEqual(
      held.map((e) => e.address),
      [first.address],
      'one endpoint allocated',
    );
    // and by address the same: a retry is answered
    const again = await allocate.byAddress({ address: first.address, accountId: ACCT, actor: 'test', operation: input.operation });
    assert.equal(again.version, first.version);
    const allocations = await db().endpointHistory.findMany({
      where: { endpoint: { address: first.address }, toState: 'ALLOCATED' },
      select: { operation: true },
    });
    assert.deepEqual(
      allocations.map((r) => r.operation),
      [`${input.operation}:allocate`],
      'allocated once, by that operation',
    );
    // a new operation still goes through: released
    assert.equal((await endpoint.release({ accountId: ACCT, actor: 'test' }, `${randomUUID()}:release`)).state, 'AGING');
    // the run the repeated update reached (it may have continued as new again since)
    await recordHistory(client.workflow.getHandle(h.workflowId, newRun), 'endpoint-operation-after-continue-as-new');
  });

  it('an Idempotency-Key reused after its record expired, with the same body, is a new operation — not the old update’s stale answer', async () => {
    const [free] = await db().endpoint.findMany({ where: { npa: '206', state: 'AVAILABLE' }, orderBy: { address: 'asc' }, take: 1 });
    const address = free!.address;
    const k = { 'idempotency-key': 'alloc-same-body-after-ttl' };
    const body = { accountId: ACCT, address, applicationUri: 'sip:same@apps.example.com' };
    const first = await ok<Status & { version: number }>(await call('POST', '/v1/allocations', body, key, k), 201);
    await ok(await call('POST', '/v1/releases', { accountId: ACCT, address }), 200);
    await until('available again', async () => (await client.workflow.getHandle(`endpoint/${address}`).query(stateQuery)).state === 'AVAILABLE');
    // the key's record expires (IDEMPOTENCY_TTL) and is swept; the client sends the very same request with the same key again
    await db().idempotencyRecord.updateMany({ where: { key: k['idempotency-key'] }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const second = await ok<Status & { version: number }>(await call('POST', '/v1/allocations', body, key, k), 201);
    const row = await db().endpoint.findUniqueOrThrow({ where: { address } });
    assert.deepEqual([row.state, row.accountId], ['ALLOCATED', ACCT], 'the number is held again: the request was performed, not answered from the old update');
    assert.ok(second.version > first.version, `a new allocation (v${second.version}), not the first one's answer (v${first.version})`);
    assert.equal(second.version, row.version);
    await ok(await call('POST', '/v1/releases', { accountId: ACCT, address }), 200);
  });

  it('an Idempotency-Key reused after its record expired, with another body, is a new operation — not the old update’s answer', async () => {
    const [free] = await db().endpoint.findMany({ where: { npa: '206', state: 'AVAILABLE' }, orderBy: { address: 'asc' }, take: 1 });
    const address = free!.address;
    const k = { 'idempotency-key': 'alloc-reused-after-ttl' };
    const first = await ok<Status & { version: number }>(
      await call('POST', '/v1/allocations', { accountId: ACCT, address, applicationUri: 'sip:first@apps.example.com' }, key, k),
      201,
    );
    await ok(await call('POST', '/v1/releases', { accountId: ACCT, address }), 200);
    await until('available again', async () => (await client.workflow.getHandle(`endpoint/${address}`).query(stateQuery)).state === 'AVAILABLE');
    // the key's record expires (IDEMPOTENCY_TTL); the client reuses the key for another request
    await db().idempotencyRecord.updateMany({ where: { key: k['idempotency-key'] }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const second = await ok<Status & { version: number }>(
      await call('POST', '/v1/allocations', { accountId: ACCT, address, applicationUri: 'sip:second@apps.example.com' }, key, k),
      201,
    );
    const row = await db().endpoint.findUniqueOrThrow({ where: { address } });
    assert.deepEqual([row.state, row.accountId, row.applicationUri], ['ALLOCATED', ACCT, 'sip:second@apps.example.com'], 'the new request was performed');
    assert.ok(second.version > first.version, `a new allocation (v${second.version}), not the first one's answer (v${first.version})`);
    assert.equal(second.version, row.version);
    await ok(await call('POST', '/v1/releases', { accountId: ACCT, address }), 200);
  });
});
