// Issue 14, scenario 12: what answers before a route runs, and what a failure
// answers. PostgreSQL refusing a statement for now (disk full, deadlock, lock
// timeout, statement cancelled, serialization failure) is a 503 with
// Retry-After, not a 500; the API-key cache is bounded; requests without a
// valid key are rate limited per client address; the key and its scope are
// checked before the body is read; a generated webhook secret is never kept in
// an Idempotency-Key's record.
import assert from 'node:assert/strict';
import express from 'express';
import { buildApp } from '../../src/api/app';
import { errorHandler } from '../../src/api/middleware/errors';
import { createApiKey } from '../../src/usecases/keys';
import { TemporalGateway } from '../../src/temporal/gateway';
import { serve } from '../support/http';
import { apiKey, db, stack, testConfig, testLog } from '../support/stack';

interface ErrorBody {
  code: string;
  detail: string;
  dependency?: string;
}

describe('API guards: transient PostgreSQL failures, the key cache, unauthenticated limits, auth before the body, secrets not kept', function () {
  this.timeout(30_000);
  let gateway: TemporalGateway;
  const providerIds: string[] = [];

  before(() => {
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
  });
  after(async () => {
    await db().provider.deleteMany({ where: { id: { in: providerIds } } });
    await gateway.close();
  });

  describe('PostgreSQL that cannot serve a statement now', () => {
    let app: Awaited<ReturnType<typeof serve>>;
    let holder: Promise<void> | undefined;
    before(async () => {
      await db().account.upsert({ where: { id: 'acct-guards-lock' }, create: { id: 'acct-guards-lock', name: 'lock' }, update: {} });
      // each route makes PostgreSQL itself raise the condition, so the error is the one Prisma really throws
      const raise = (code: string) => db().$queryRawUnsafe(`DO $$ BEGIN RAISE EXCEPTION 'simulated %', '${code}' USING ERRCODE = '${code}'; END $$`);
      const mini = express();
      mini.get('/raise/:code', async (req) => {
        await raise(req.params.code);
      });
      mini.get('/executeRaw/:code', async (req) => {
        await db().$executeRawUnsafe(`DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '${req.params.code}'; END $$`);
      });
      // a real lock timeout on a model write: another transaction holds the row
      mini.get('/lock-timeout', async () => {
        await db().$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '100ms'`);
          await tx.account.update({ where: { id: 'acct-guards-lock' }, data: { name: 'changed' } });
        });
      });
      // a real statement timeout (57014: canceling statement due to statement timeout)
      mini.get('/statement-timeout', async () => {
        await db().$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = '50ms'`);
          await tx.$queryRawUnsafe('SELECT pg_sleep(2)');
        });
      });
      mini.get('/bug', () => {
        throw new Error('a plain bug');
      });
      mini.use(errorHandler(testLog));
      app = await serve(mini);
    });
    after(async () => {
      await holder;
      await app.close();
    });

    for (const [code, what] of [
      ['53100', 'disk full'],
      ['40P01', 'deadlock detected'],
      ['55P03', 'lock not available'],
      ['57014', 'query cancelled'],
      ['40001', 'serialization failure'],
    ] as const) {
      it(`${code} (${what}) answers 503 with Retry-After, not 500`, async () => {
        for (const route of ['raise', 'executeRaw']) {
          const res = await fetch(`${app.url}/${route}/${code}`);
          const body = (await res.json()) as ErrorBody;
          assert.equal(res.status, 503, `${route} ${code}: ${JSON.stringify(body)}`);
          assert.equal(res.headers.get('retry-after'), '5');
          assert.equal(body.code, 'unavailable');
          assert.equal(body.dependency, 'postgres');
          assert.match(body.detail, new RegExp(`PostgreSQL could not serve this request now \\(${what}`));
        }
      });
    }

    it('a real lock timeout and a real statement timeout answer 503 too', async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      holder = db().$transaction(
        async (tx) => {
          await tx.$queryRawUnsafe(`SELECT id FROM accounts WHERE id = 'acct-guards-lock' FOR UPDATE`);
          locked();
          await held;
        },
        { timeout: 20_000 },
      );
      await isLocked;
      try {
        const res = await fetch(`${app.url}/lock-timeout`);
        assert.equal(res.status, 503, JSON.stringify(await res.clone().json()));
        assert.equal(res.headers.get('retry-after'), '5');
      } finally {
        release();
        await holder;
      }
      const slow = await fetch(`${app.url}/statement-timeout`);
      assert.equal(slow.status, 503, JSON.stringify(await slow.clone().json()));
      // a bug is still a bug
      assert.equal((await fetch(`${app.url}/bug`)).status, 500);
      assert.equal((await fetch(`${app.url}/raise/22012`)).status, 500, 'division by zero is no reason to retry');
    });
  });

  describe('keys, limits and bodies', () => {
    let app: Awaited<ReturnType<typeof serve>>;
    let operator = '';
    let platform = '';
    const send = (path: string, init: { method?: string; key?: string; body?: string; headers?: Record<string, string> } = {}) =>
      fetch(`${app.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { 'content-type': 'application/json', ...(init.key ? { authorization: `Bearer ${init.key}` } : {}), ...init.headers },
        body: init.body,
      });

    before(async () => {
      const config = testConfig({ API_KEY_CACHE_MAX: '1' });
      app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config }));
      operator = await apiKey('OPERATOR');
      platform = await apiKey('PLATFORM', ['acct-guards']);
    });
    after(async () => {
      await app.close();
    });

    it('the key cache holds at most API_KEY_CACHE_MAX keys: a key pushed out is looked up again (a revoked one is refused at once)', async () => {
      const a = await createApiKey(db(), { name: 'guards a', scope: 'OPERATOR' });
      const b = await createApiKey(db(), { name: 'guards b', scope: 'OPERATOR' });
      assert.equal((await send('/v1/providers', { key: a.key })).status, 200, 'a is now cached');
      await db().apiKey.update({ where: { id: a.id }, data: { revokedAt: new Date() } });
      assert.equal((await send('/v1/providers', { key: b.key })).status, 200, 'b pushes a out of a cache of one');
      const again = await send('/v1/providers', { key: a.key });
      assert.equal(again.status, 401, 'a was looked up again, not answered from an unbounded cache');
    });

    it('a malformed body is not read before the key and scope: no key → 401, the wrong scope → 403, the right one → 400', async () => {
      const malformed = '{"id": "guards-x", "name": ';
      const none = await send('/v1/providers', { method: 'POST', body: malformed });
      assert.equal(none.status, 401, JSON.stringify(await none.clone().json()));
      assert.equal(((await none.json()) as ErrorBody).code, 'unauthorized');
      const wrong = await send('/v1/providers', { method: 'POST', key: platform, body: malformed });
      assert.equal(wrong.status, 403, JSON.stringify(await wrong.clone().json()));
      assert.equal(((await wrong.json()) as ErrorBody).code, 'forbidden');
      const right = await send('/v1/providers', { method: 'POST', key: operator, body: malformed });
      assert.equal(right.status, 400);
      assert.equal(((await right.json()) as ErrorBody).code, 'malformed_json');
    });

    it('a generated webhook secret is answered once and never kept in the Idempotency-Key record; the replay says it is not shown again', async () => {
      const { id: keyId, key } = await createApiKey(db(), { name: 'guards secret', scope: 'OPERATOR' });
      providerIds.push('guards-secret');
      const body = JSON.stringify({ id: 'guards-secret', name: 'Secretive', kind: 'api', apiBaseUrl: 'https://carrier.example.com' });
      const first = await send('/v1/providers', { method: 'POST', key, body, headers: { 'idempotency-key': 'guards-secret-1' } });
      assert.equal(first.status, 201);
      const created = (await first.json()) as { webhookSecret: string | null };
      assert.ok(created.webhookSecret && created.webhookSecret.length >= 16, 'the first answer shows the generated secret');
      const record = await db().idempotencyRecord.findUniqueOrThrow({ where: { apiKeyId_key: { apiKeyId: keyId, key: 'guards-secret-1' } } });
      assert.ok(!JSON.stringify(record.responseBody).includes(created.webhookSecret), 'the stored answer holds the secret');
      const replay = await send('/v1/providers', { method: 'POST', key, body, headers: { 'idempotency-key': 'guards-secret-1' } });
      assert.equal(replay.status, 201);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      const replayed = (await replay.json()) as { webhookSecret: string | null; notShownAgain?: Record<string, string> };
      assert.equal(replayed.webhookSecret, null);
      assert.match(replayed.notShownAgain?.webhookSecret ?? '', /shown once/);
    });

    it('requests without a valid key are limited per client address: the fourth of 3/minute is a 429; a valid key goes on', async () => {
      const limitedApp = await serve(
        buildApp({ db: db(), temporal: gateway, log: testLog, config: testConfig({ RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '3' }) }),
      );
      const at = (path: string, key?: string) => fetch(`${limitedApp.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      try {
        assert.equal((await at('/v1/providers', operator)).status, 200);
        const statuses: number[] = [];
        for (const key of [undefined, 'ei_0123456789ab_not-a-key', undefined, 'ei_0123456789ac_nor-this'])
          statuses.push((await at('/v1/providers', key)).status);
        assert.deepEqual(statuses, [401, 401, 401, 429]);
        const limited = await at('/v1/groupings');
        assert.equal(limited.status, 429);
        assert.ok(Number(limited.headers.get('retry-after')) >= 1);
        const body = (await limited.json()) as ErrorBody;
        assert.equal(body.code, 'rate_limited');
        assert.match(body.detail, /client address/);
        assert.equal((await at('/v1/providers', operator)).status, 200, 'a key already known goes on');
      } finally {
        await limitedApp.close();
      }
    });
  });
});
