// Accounts, keys, an account's numbers, reservations as resources and
// allocation of a quantity, through the API on the real stack (worker,
// Temporal, PostgreSQL). Area codes 737, 341 and 463 are this suite's own.
import assert from 'node:assert/strict';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { lifecyclePolicy } from '../../src/config';
import { TemporalGateway } from '../../src/temporal/gateway';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { resumeDeactivations } from '../../src/usecases/accounts';
import { createWorker } from '../../workers/worker';
import { serve } from '../support/http';
import { SHARED_TASK_QUEUE, apiKey, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

/** a problem (RFC 9457) */
interface ErrorBody {
  code: string;
  detail: string;
  errors?: { field: string; reason: string }[];
  mode?: string;
  allocated?: number;
  results?: { outcome: string }[];
}
interface NumberBody {
  address: string;
  kind: string;
  createdAt: string;
  state: string;
  friendlyName: string | null;
  applicationUri: string | null;
  voiceUrl: string | null;
  voiceMethod: string | null;
  smsMethod: string | null;
  capabilities: { sms: boolean };
}
interface Page {
  numbers: NumberBody[];
  nextPageToken: string | null;
}
interface Reservation {
  id: string;
  status: string;
  expiresAt: string;
  address: string;
}

const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('API: accounts, keys, numbers, reservations, quantities', function () {
  this.timeout(120_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let operator = '';
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s' });
  const call = (method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const ok = async <T>(res: Response, status: number): Promise<T> => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as T;
  };
  const refused = async (res: Response, status: number, field?: string): Promise<ErrorBody> => {
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const body = await ok<ErrorBody>(res, status);
    if (field) assert.deepEqual([...new Set(body.errors?.map((i) => i.field))], [field], JSON.stringify(body));
    return body;
  };
  const shelve = async (npa: string, n: number) => {
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) },
      Array.from({ length: n }, (_, i) => ({ address: `+1${npa}5550${String(300 + i * 11)}`, capable: { voice: true, sms: i % 2 === 0 } })),
      { entry: 'quarantine', actor: 'test' },
    );
    await until(`${n} AVAILABLE in ${npa}`, async () => (await db().endpoint.count({ where: { npa, state: 'AVAILABLE' } })) === n);
  };
  /** a platform key for these accounts, issued through the API */
  const platformKey = async (accountIds: string[], name = 'test'): Promise<{ id: string; key: string }> =>
    ok(await call('POST', '/v1/keys', operator, { name, scope: 'platform', accountIds }), 201);

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: config() }));
    operator = await apiKey('OPERATOR');
  });
  after(async () => {
    worker.shutdown();
    await running;
    await app.close();
    await gateway.close();
    await connection.close();
    await native.close();
  });

  it('operators create, list and show accounts; issue, list and revoke keys, with their scopes and last use', async () => {
    const made = await ok<{ id: string; active: boolean; numbers: number }>(
      await call('POST', '/v1/accounts', operator, { id: 'acct-ak-1', name: 'Acme' }),
      201,
    );
    assert.deepEqual([made.id, made.active, made.numbers], ['acct-ak-1', true, 0]);
    await ok(await call('POST', '/v1/accounts', operator, { id: 'acct-ak-2', name: 'Bravo' }), 201);
    assert.match((await refused(await call('POST', '/v1/accounts', operator, { id: 'acct-ak-1', name: 'again' }), 409)).detail, /exists already/);
    await refused(await call('POST', '/v1/accounts', operator, { id: '-bad id', name: 'x' }), 400, 'id');
    await refused(await call('GET', '/v1/accounts/acct-ak-none', operator), 404);
    assert.equal((await ok<{ name: string }>(await call('GET', '/v1/accounts/acct-ak-2', operator), 200)).name, 'Bravo');

    // keyset paging: every account once, in id order, whatever the page size
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const res: { accounts: { id: string }[]; nextPageToken: string | null } = await ok(
        await call('GET', `/v1/accounts?pageSize=2${token ? `&pageToken=${token}` : ''}`, operator),
        200,
      );
      assert.ok(res.accounts.length <= 2);
      seen.push(...res.accounts.map((a) => a.id));
      token = res.nextPageToken;
    } while (token);
    assert.deepEqual(seen, [...seen].sort());
    assert.ok(seen.includes('acct-ak-1') && seen.includes('acct-ak-2'));
    assert.equal(new Set(seen).size, seen.length);
    await refused(await call('GET', '/v1/accounts?pageToken=bm9wZQ', operator), 400, 'pageToken');

    // keys: the secret once (a replay has it null), checked scopes and accounts
    const headers = { 'idempotency-key': 'ak-key-1' };
    const issued = await ok<{ id: string; key: string; scope: string; accountIds: string[]; lastUsedAt: string | null }>(
      await call('POST', '/v1/keys', operator, { name: 'acme app', scope: 'platform', accountIds: ['acct-ak-1'] }, headers),
      201,
    );
    assert.match(issued.key, /^ei_[0-9a-f]{12}_/);
    assert.deepEqual([issued.scope, issued.accountIds, issued.lastUsedAt], ['platform', ['acct-ak-1'], null]);
    const replay = await call('POST', '/v1/keys', operator, { name: 'acme app', scope: 'platform', accountIds: ['acct-ak-1'] }, headers);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    const again = await ok<{ id: string; key: string | null; notShownAgain: { key: string } }>(replay, 201);
    assert.deepEqual([again.id, again.key], [issued.id, null]);
    assert.match(again.notShownAgain.key, /shown once/);
    await refused(await call('POST', '/v1/keys', operator, { name: 'x', scope: 'platform', accountIds: ['acct-ak-none'] }), 400, 'accountIds');
    await refused(await call('POST', '/v1/keys', operator, { name: 'x', scope: 'platform' }), 400, 'accountIds');
    await refused(await call('POST', '/v1/keys', operator, { name: 'x', scope: 'operator', accountIds: ['acct-ak-1'] }), 400, 'accountIds');
    await refused(await call('POST', '/v1/keys', operator, { name: 'x', scope: 'carrier' }), 400, 'providerId');
    await refused(await call('POST', '/v1/keys', operator, { name: 'x', scope: 'root' }), 400, 'scope');
    // a platform key cannot manage keys or accounts
    await refused(await call('GET', '/v1/keys', issued.key), 403);

    // last used: written on use (cheaply, at most once a minute), shown in the list
    await ok(await call('GET', '/v1/accounts/acct-ak-1/numbers', issued.key), 200);
    await until('last used written', async () => (await db().apiKey.findUniqueOrThrow({ where: { id: issued.id } })).lastUsedAt !== null);
    const first = (await db().apiKey.findUniqueOrThrow({ where: { id: issued.id } })).lastUsedAt!;
    for (let i = 0; i < 5; i++) await ok(await call('GET', '/v1/accounts/acct-ak-1/numbers', issued.key), 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await db().apiKey.findUniqueOrThrow({ where: { id: issued.id } })).lastUsedAt!.getTime(), first.getTime(), 'not a write per request');
    const listed = await ok<{ keys: { id: string; lastUsedAt: string | null; revokedAt: string | null }[] }>(
      await call('GET', '/v1/keys?accountId=acct-ak-1', operator),
      200,
    );
    assert.deepEqual(
      listed.keys.map((k) => [k.id, k.lastUsedAt]),
      [[issued.id, first.toISOString()]],
    );

    // revoked: refused (a key this process has not cached yet: at once; a cached one within 10 s)
    const spare = await platformKey(['acct-ak-1'], 'spare');
    const revoked = await ok<{ revokedAt: string | null }>(await call('DELETE', `/v1/keys/${spare.id}`, operator), 200);
    assert.ok(revoked.revokedAt);
    assert.equal((await call('GET', '/v1/accounts/acct-ak-1/numbers', spare.key)).status, 401);
    assert.deepEqual(
      (await ok<{ keys: { id: string }[] }>(await call('GET', '/v1/keys?accountId=acct-ak-1&revoked=true', operator), 200)).keys.map((k) => k.id),
      [spare.id],
    );
    await refused(await call('DELETE', '/v1/keys/7d444840-9dc0-41d1-b245-5ffdce74fad2', operator), 404);
    await refused(await call('DELETE', '/v1/keys/nope', operator), 400, 'id');
  });

  it("platform: an account's numbers listed a page at a time and filtered, fetched, updated, released; another account's are 404", async () => {
    await shelve('737', 5);
    for (const id of ['acct-num-a', 'acct-num-b']) await ok(await call('POST', '/v1/accounts', operator, { id, name: id }), 201);
    const a = (await platformKey(['acct-num-a'])).key;
    const b = (await platformKey(['acct-num-b'])).key;
    const shelf = (await db().endpoint.findMany({ where: { npa: '737' }, orderBy: { address: 'asc' } })).map((e) => e.address);
    for (const address of shelf.slice(0, 4)) await ok(await call('POST', '/v1/allocations', a, { accountId: 'acct-num-a', address }), 201);
    await ok(await call('POST', '/v1/allocations', b, { accountId: 'acct-num-b', address: shelf[4] }), 201);
    const base = '/v1/accounts/acct-num-a/numbers';

    const first = await ok<Page>(await call('GET', `${base}?pageSize=3`, a), 200);
    assert.deepEqual(
      first.numbers.map((n) => n.address),
      shelf.slice(0, 3),
    );
    assert.ok(first.nextPageToken);
    // the API's one vocabulary: a lower snake case kind, ISO 8601 UTC timestamps
    assert.ok(
      first.numbers.every((n) => /^[a-z_]+$/.test(n.kind) && /^\d{4}-\d\d-\d\dT.*Z$/.test(n.createdAt)),
      JSON.stringify(first.numbers[0]),
    );
    const second = await ok<Page>(await call('GET', `${base}?pageSize=3&pageToken=${first.nextPageToken}`, a), 200);
    assert.deepEqual(
      second.numbers.map((n) => n.address),
      shelf.slice(3, 4),
    );
    assert.equal(second.nextPageToken, null);
    // a token of another list is refused, naming it
    const other = await ok<Page>(await call('GET', '/v1/accounts/acct-num-b/numbers?pageSize=1', b), 200);
    assert.equal(other.numbers.length, 1);

    // filters: digits, capability, state
    const digits = shelf[2]!.slice(-4);
    assert.deepEqual(
      (await ok<Page>(await call('GET', `${base}?number=${digits}`, a), 200)).numbers.map((n) => n.address),
      [shelf[2]],
    );
    const sms = (await ok<Page>(await call('GET', `${base}?capability=sms`, a), 200)).numbers;
    assert.ok(sms.length > 0 && sms.length < 4 && sms.every((n) => n.capabilities.sms), JSON.stringify(sms));
    assert.equal((await ok<Page>(await call('GET', `${base}?state=RESERVED`, a), 200)).numbers.length, 0);
    assert.equal((await ok<Page>(await call('GET', `${base}?state=ALLOCATED`, a), 200)).numbers.length, 4);
    await refused(await call('GET', `${base}?capability=telepathy`, a), 400, 'capability');
    await refused(await call('GET', `${base}?pageSize=1000`, a), 400, 'pageSize');

    // update: friendly name, application URI (the routing lookup follows), voice URL and method (any case)
    const one = `${base}/${encodeURIComponent(shelf[1]!)}`;
    const updated = await ok<NumberBody>(
      await call('PATCH', one, a, {
        friendlyName: 'Front desk',
        applicationUri: 'sip:desk@example.com',
        voiceUrl: 'https://example.com/voice',
        voiceMethod: 'post',
      }),
      200,
    );
    assert.deepEqual(
      [updated.friendlyName, updated.applicationUri, updated.voiceUrl, updated.voiceMethod, updated.smsMethod],
      ['Front desk', 'sip:desk@example.com', 'https://example.com/voice', 'POST', null],
    );
    const route = await ok<{ applicationUri: string }>(await call('GET', `/v1/routes/${encodeURIComponent(shelf[1]!)}`, operator), 200);
    assert.equal(route.applicationUri, 'sip:desk@example.com');
    const again = await ok<NumberBody>(await call('PATCH', one, a, { smsMethod: 'GET', voiceUrl: null }), 200);
    assert.deepEqual([again.friendlyName, again.voiceUrl, again.voiceMethod, again.smsMethod], ['Front desk', null, 'POST', 'GET'], 'a patch leaves the rest');
    assert.deepEqual(
      (await ok<Page>(await call('GET', `${base}?friendlyName=Front%20desk`, a), 200)).numbers.map((n) => n.address),
      [shelf[1]],
    );
    assert.equal((await ok<NumberBody>(await call('GET', one, a), 200)).friendlyName, 'Front desk');
    await refused(await call('PATCH', one, a, { voiceUrl: 'ftp://example.com/x' }), 400, 'voiceUrl');
    await refused(await call('PATCH', one, a, { statusCallback: 'not a url' }), 400, 'statusCallback');
    await refused(await call('PATCH', one, a, { smsMethod: 'PUT' }), 400, 'smsMethod');
    await refused(await call('PATCH', one, a, { applicationUri: 'mailto:x' }), 400, 'applicationUri');
    await refused(await call('PATCH', one, a, { colour: 'red' }), 400, 'colour');

    // tenants apart: B's number does not exist for A's key, nor does B's account
    const theirs = encodeURIComponent(shelf[4]!);
    await refused(await call('GET', `${base}/${theirs}`, a), 404);
    await refused(await call('PATCH', `${base}/${theirs}`, a, { friendlyName: 'mine now' }), 404);
    await refused(await call('DELETE', `${base}/${theirs}`, a), 404);
    await refused(await call('GET', `/v1/accounts/acct-num-b/numbers/${theirs}`, a), 404);
    await refused(await call('GET', '/v1/accounts/acct-num-b/numbers', a), 404);
    assert.equal((await db().endpoint.findUniqueOrThrow({ where: { address: shelf[4] } })).state, 'ALLOCATED');

    // release by DELETE: it ages, its settings go with it
    const released = await ok<{ state: string }>(await call('DELETE', one, a), 200);
    assert.equal(released.state, 'AGING');
    await refused(await call('GET', one, a), 404);
    assert.equal(await db().numberSettings.count({ where: { endpoint: { address: shelf[1] } } }), 0);
    assert.equal((await ok<Page>(await call('GET', base, a), 200)).numbers.length, 3);
  });

  it('reservations are resources: made with an id and expiry, read, extended, cancelled, converted to an allocation', async () => {
    await ok(await call('POST', '/v1/accounts', operator, { id: 'acct-rsv', name: 'rsv' }), 201);
    const key = (await platformKey(['acct-rsv'])).key;
    const stranger = (await platformKey(['acct-num-b'])).key;
    await until('an AVAILABLE 737 number', async () => (await db().endpoint.count({ where: { npa: '737', state: 'AVAILABLE' } })) > 0);
    const { address } = await db().endpoint.findFirstOrThrow({ where: { npa: '737', state: 'AVAILABLE' } });

    const made = await ok<{ id: string; expiresAt: string; state: string }>(
      await call('POST', '/v1/reservations', key, { accountId: 'acct-rsv', address, minutes: 5 }),
      201,
    );
    assert.equal(made.state, 'RESERVED');
    assert.match(made.id, /^rsv_/);
    const read = await ok<Reservation>(await call('GET', `/v1/reservations/${made.id}`, key), 200);
    assert.deepEqual([read.status, read.address, read.expiresAt], ['active', address, made.expiresAt]);
    await refused(await call('GET', `/v1/reservations/${made.id}`, stranger), 404);
    await refused(await call('GET', '/v1/reservations/rsv_bm9wZQ', key), 404);

    const extended = await ok<Reservation>(await call('POST', `/v1/reservations/${made.id}/extension`, key, { minutes: 30 }), 200);
    assert.equal(extended.status, 'active');
    assert.ok(Date.parse(extended.expiresAt) > Date.parse(made.expiresAt) + 20 * 60_000, JSON.stringify(extended));
    // longer than RESERVATION_MAX (1 hour): a 400 naming minutes, as when reserving
    await refused(await call('POST', `/v1/reservations/${made.id}/extension`, key, { minutes: 24 * 60 }), 400, 'minutes');

    const cancelled = await ok<Reservation>(await call('DELETE', `/v1/reservations/${made.id}`, key), 200);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await db().endpoint.findUniqueOrThrow({ where: { address } })).state, 'AVAILABLE');
    assert.match((await refused(await call('DELETE', `/v1/reservations/${made.id}`, key), 409)).detail, /is cancelled/);

    const second = await ok<{ id: string }>(await call('POST', '/v1/reservations', key, { accountId: 'acct-rsv', address }), 201);
    assert.notEqual(second.id, made.id);
    const converted = await ok<{ state: string; accountId: string; reservation: Reservation }>(
      await call('POST', `/v1/reservations/${second.id}/allocation`, key, { applicationUri: 'https://example.com/app' }),
      201,
    );
    assert.deepEqual([converted.state, converted.accountId, converted.reservation.status], ['ALLOCATED', 'acct-rsv', 'converted']);
    assert.equal((await ok<Reservation>(await call('GET', `/v1/reservations/${second.id}`, key), 200)).status, 'converted');
    await refused(await call('POST', `/v1/reservations/${second.id}/extension`, key, { minutes: 5 }), 409);
    assert.equal((await ok<Reservation>(await call('GET', `/v1/reservations/${made.id}`, key), 200)).status, 'cancelled', 'the first is still itself');
  });

  it('allocation of a quantity: all or nothing holds nothing when it cannot get all; partial keeps what it got; both idempotent', async () => {
    await shelve('341', 3);
    await ok(await call('POST', '/v1/accounts', operator, { id: 'acct-qty', name: 'qty' }), 201);
    const key = (await platformKey(['acct-qty'])).key;
    const criteria = { npa: '341' };
    const held = () => db().endpoint.count({ where: { npa: '341', accountId: 'acct-qty' } });

    // the shelf is short now: nothing is allocated (and so nothing released to age)
    const all = await refused(await call('POST', '/v1/allocations', key, { accountId: 'acct-qty', criteria, quantity: 5, mode: 'all_or_nothing' }), 409);
    assert.equal(all.code, 'not_enough_available');
    assert.match(all.detail, /only 3 of 5 available/);
    assert.equal(all.allocated, 0);
    assert.deepEqual(
      all.results?.map((r) => r.outcome),
      ['failed', 'failed', 'failed', 'failed', 'failed'],
    );
    assert.equal(await held(), 0, 'all or nothing: nothing held');
    assert.equal(await db().endpointHistory.count({ where: { endpoint: { npa: '341' }, toState: { in: ['ALLOCATED', 'AGING'] } } }), 0);

    const headers = { 'idempotency-key': 'qty-partial-1' };
    const body = { accountId: 'acct-qty', criteria, quantity: 5, mode: 'partial' };
    const partial = await ok<{ allocated: number; results: { outcome: string; address?: string; error?: { code: string } }[] }>(
      await call('POST', '/v1/allocations', key, body, headers),
      201,
    );
    assert.equal(partial.allocated, 3);
    assert.deepEqual(
      partial.results.map((r) => r.outcome),
      ['allocated', 'allocated', 'allocated', 'failed', 'failed'],
    );
    assert.equal(partial.results[3]!.error!.code, 'none_available');
    assert.equal(await held(), 3);
    const replay = await call('POST', '/v1/allocations', key, body, headers);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await ok(replay, 201), partial);

    // two all-or-nothing requests race for 3 numbers, 2 each: one gets both, the other holds nothing (what it got
    // before the shelf ran short goes back through the release path)
    await shelve('463', 3);
    const race = await Promise.all(
      [0, 1].map(() => call('POST', '/v1/allocations', key, { accountId: 'acct-qty', criteria: { npa: '463' }, quantity: 2, mode: 'all_or_nothing' })),
    );
    assert.deepEqual(race.map((r) => r.status).sort(), [201, 409]);
    const lost = (await race.find((r) => r.status === 409)!.json()) as ErrorBody;
    assert.equal(lost.code, 'not_enough_available');
    const outcomes = (lost.results ?? []).map((r) => r.outcome);
    assert.equal(outcomes.length, 2);
    assert.ok(
      outcomes.every((o) => o === 'failed' || o === 'released'),
      outcomes.join(),
    );
    assert.equal(await db().endpoint.count({ where: { npa: '463', accountId: 'acct-qty' } }), 2, 'the winner holds two, the loser none');
    const released = await db().endpointHistory.findMany({ where: { endpoint: { npa: '463' }, toState: 'AGING' }, select: { cause: true } });
    assert.equal(released.length, outcomes.filter((o) => o === 'released').length);
    assert.ok(
      released.every((c) => /all or nothing: 1 of 2/.test(c.cause)),
      JSON.stringify(released),
    );

    await refused(await call('POST', '/v1/allocations', key, { accountId: 'acct-qty', criteria, quantity: 21 }), 400, 'quantity');
    await refused(await call('POST', '/v1/allocations', key, { accountId: 'acct-qty', address: '+13415550300', quantity: 2 }), 400, 'quantity');
    await refused(await call('POST', '/v1/allocations', key, { accountId: 'acct-qty', criteria, mode: 'partial' }), 400, 'mode');
  });

  it("deactivation: the account's platform keys are refused (403 naming it); its release is scheduled after the grace period", async () => {
    await ok(await call('POST', '/v1/accounts', operator, { id: 'acct-gone', name: 'gone' }), 201);
    const key = (await platformKey(['acct-gone'])).key;
    const before = Date.now();
    const gone = await ok<{ active: boolean; deactivatedAt: string; releaseAfter: string }>(
      await call('POST', '/v1/accounts/acct-gone/deactivation', operator),
      200,
    );
    assert.equal(gone.active, false);
    const grace = Date.parse(gone.releaseAfter) - Date.parse(gone.deactivatedAt);
    assert.ok(Math.abs(grace - 30 * 86_400_000) < 1000, `grace ${grace}`);
    assert.ok(Date.parse(gone.deactivatedAt) >= before - 1000);
    const again = await ok<{ deactivatedAt: string }>(await call('POST', '/v1/accounts/acct-gone/deactivation', operator), 200);
    assert.equal(again.deactivatedAt, gone.deactivatedAt, 'once');
    const refusal = await refused(await call('GET', '/v1/accounts/acct-gone/numbers', key), 403);
    assert.match(refusal.detail, /acct-gone is deactivated/);
    await refused(await call('POST', '/v1/allocations', key, { accountId: 'acct-gone', criteria: { npa: '737' } }), 403);
    await refused(await call('POST', '/v1/keys', operator, { name: 'x', scope: 'platform', accountIds: ['acct-gone'] }), 400, 'accountIds');
    const wf = await client.workflow.getHandle('account-deactivation/acct-gone').describe();
    assert.equal(wf.status.name, 'RUNNING');
    await refused(await call('POST', '/v1/accounts/acct-none/deactivation', operator), 404);

    // a deactivation whose workflow never started (Temporal away, never retried) gets it when a worker starts
    await db().account.create({
      data: { id: 'acct-gone-2', name: 'gone', active: false, deactivatedAt: new Date(), releaseAfter: new Date(Date.now() + 86_400_000) },
    });
    const started = await resumeDeactivations({ db: db(), temporal: gateway.onTaskQueue(SHARED_TASK_QUEUE) });
    assert.ok(started >= 2, `${started}`);
    assert.equal((await client.workflow.getHandle('account-deactivation/acct-gone-2').describe()).status.name, 'RUNNING');
    const inactive = await ok<{ accounts: { id: string; active: boolean }[] }>(await call('GET', '/v1/accounts?active=false&pageSize=200', operator), 200);
    assert.ok(inactive.accounts.some((a) => a.id === 'acct-gone'));
    assert.ok(inactive.accounts.every((a) => !a.active));
  });
});
