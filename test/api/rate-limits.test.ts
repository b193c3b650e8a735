// Rate limits are one budget per API key (or client address) across every API
// process: two apps ("replicas") on one database draw on the same count. A
// store that is slow or away does not fail requests: they are counted in the
// process instead, logged and counted in a metric.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Client } from 'pg';
import { buildApp } from '../../src/api/app';
import { postgresRateLimitStore, type RateLimitStore } from '../../src/db/rate-limits';
import { createApiKey } from '../../src/usecases/keys';
import { TemporalGateway } from '../../src/temporal/gateway';
import { serve } from '../support/http';
import { db, stack, testConfig, testLog } from '../support/stack';

type Served = Awaited<ReturnType<typeof serve>>;

describe('API: rate limits shared by every API process', function () {
  this.timeout(30_000);
  let gateway: TemporalGateway;
  const apps: Served[] = [];
  const stores: RateLimitStore[] = [];
  const metricsKey = 'rate-limit-metrics-key-0123456789';

  const replica = async (opts: { rateLimits?: RateLimitStore; log?: pino.Logger; config?: Record<string, string> } = {}) => {
    const app = await serve(
      buildApp({
        db: db(),
        temporal: gateway,
        log: opts.log ?? testLog,
        config: testConfig({ METRICS_KEY: metricsKey, ...opts.config }),
        ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
      }),
    );
    apps.push(app);
    return app;
  };
  const get = (app: Served, key: string) => fetch(`${app.url}/v1/groupings`, { headers: { authorization: `Bearer ${key}` } });
  const storeErrors = async (app: Served) => {
    const text = await (await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${metricsKey}` } })).text();
    return Number(/^endpoint_inventory_rate_limit_store_errors_total (\d+)/m.exec(text)?.[1] ?? NaN);
  };
  /** a pino logger whose lines the test reads */
  const capturedLog = () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    return { log: pino({ level: 'warn' }, stream), lines };
  };

  before(() => {
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
  });
  after(async () => {
    for (const a of apps) await a.close();
    for (const s of stores) await s.close();
    await gateway.close();
  });

  it('two API replicas on one database share one budget per key: the fifth request of a 4/minute key is a 429 whichever replica gets it', async () => {
    const [a, b] = [await replica(), await replica()];
    const { id, key } = await createApiKey(db(), { name: 'shared budget', scope: 'OPERATOR', rateLimit: 4 });
    const answers: { status: number; remaining: string | null }[] = [];
    for (const app of [a, b, a, b, a, b]) {
      const res = await get(app, key);
      answers.push({ status: res.status, remaining: res.headers.get('ratelimit-remaining') });
    }
    assert.deepEqual(
      answers.map((x) => x.status),
      [200, 200, 200, 200, 429, 429],
    );
    assert.deepEqual(
      answers.map((x) => x.remaining),
      ['3', '2', '1', '0', '0', '0'],
    );
    const limited = await get(b, key);
    assert.equal(limited.headers.get('ratelimit-limit'), '4');
    const wait = Number(limited.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
    const body = (await limited.json()) as { code: string; status: number; detail: string };
    assert.equal(body.code, 'rate_limited');
    assert.equal(body.status, 429);
    assert.match(body.detail, /more than 4 requests per minute/);
    // counted in the table our migration made, one row per budget
    const rows = await db().rateLimit.findMany({ where: { key: { startsWith: `${id}/` } } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.points, 7);
  });

  it('requests without a valid key share one budget per client address across replicas', async () => {
    const config = { RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '2' };
    const [a, b] = [await replica({ config }), await replica({ config })];
    const statuses: number[] = [];
    for (const app of [a, b, a]) statuses.push((await fetch(`${app.url}/v1/groupings`)).status);
    assert.deepEqual(statuses, [401, 401, 429]);
  });

  it('a store that cannot be reached: requests are answered, counted in the process (the same limit), logged and counted in a metric', async () => {
    const unreachable = postgresRateLimitStore('postgresql://nobody:nothing@127.0.0.1:1/none', { windowMs: 60_000, timeoutMs: 200 });
    stores.push(unreachable);
    const { log, lines } = capturedLog();
    const app = await replica({ rateLimits: unreachable, log });
    const { key } = await createApiKey(db(), { name: 'store away', scope: 'OPERATOR', rateLimit: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(app, key)).status);
    assert.deepEqual(statuses, [200, 200, 429], 'the per-process count still limits');
    // three counts, and the check of the client address's budget before the key's first look-up
    assert.equal(await storeErrors(app), 4);
    const warned = lines.filter((l) => /rate-limit store failed/.test(String(l.msg)));
    assert.equal(warned.length, 1, 'one line per 10 s, not one per request');
    assert.ok(warned[0]!.err);
  });

  it('a store that is slow (its row locked past RATE_LIMIT_STORE_TIMEOUT_MS): the request is answered in time, counted in the process', async () => {
    const app = await replica({ config: { RATE_LIMIT_STORE_TIMEOUT_MS: '200' } });
    const { id, key } = await createApiKey(db(), { name: 'store slow', scope: 'OPERATOR', rateLimit: 5 });
    assert.equal((await get(app, key)).status, 200);
    const before = await storeErrors(app);
    const locker = new Client({ connectionString: stack().databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM rate_limits WHERE key = $1 FOR UPDATE', [`${id}/5`]);
      const started = Date.now();
      const res = await get(app, key);
      assert.equal(res.status, 200);
      assert.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms`);
      assert.equal(await storeErrors(app), before + 1);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    // the store answers again: counted there (the first request and this one; the slow one was counted in the process)
    assert.equal((await get(app, key)).headers.get('ratelimit-remaining'), '3');
  });
});
