// /health and /ready against the real PostgreSQL and Temporal, and /ready
// reporting each one down while it is stopped.
import assert from 'node:assert/strict';
import { buildApp } from '../../src/api/app';
import { TemporalGateway } from '../../src/temporal/gateway';
import { startTemporal, type Managed } from '../../scripts/lib/stack';
import { apiKey, db, stack, testConfig, testLog } from '../support/stack';
import { serve } from '../support/http';

interface Ready {
  status: string;
  checks: Record<'postgres' | 'temporal', { status: string; error?: string }>;
}

async function ready(url: string): Promise<{ code: number; body: Ready }> {
  const res = await fetch(`${url}/ready`);
  return { code: res.status, body: (await res.json()) as Ready };
}

describe('health and readiness', () => {
  const config = () => testConfig({ READY_TIMEOUT_MS: '1500' });

  describe('with every part up', () => {
    let app: Awaited<ReturnType<typeof serve>>;
    let temporal: TemporalGateway;
    before(async () => {
      temporal = new TemporalGateway(stack().temporalAddress, 'default', 1500);
      app = await serve(buildApp({ db: db(), temporal, log: testLog, config: config() }));
    });
    after(async () => {
      await app.close();
      await temporal.close();
    });

    it('/health answers 200 without touching any dependency', async () => {
      const res = await fetch(`${app.url}/health`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
    });

    it('/ready reports PostgreSQL and Temporal separately, both up', async () => {
      const { code, body } = await ready(app.url);
      assert.equal(code, 200);
      assert.equal(body.status, 'ready');
      assert.equal(body.checks.postgres.status, 'up');
      assert.equal(body.checks.temporal.status, 'up');
    });

    it('serves the OpenAPI document and its docs page', async () => {
      const doc = (await (await fetch(`${app.url}/v1/openapi.json`)).json()) as { openapi: string; paths: object };
      assert.equal(doc.openapi, '3.1.0');
      assert.ok('/ready' in doc.paths);
      const docs = await fetch(`${app.url}/docs/`);
      assert.equal(docs.status, 200);
      assert.match(await docs.text(), /swagger-ui/);
    });

    it('answers an unknown route 404 whatever its body, malformed JSON to a route 400, as problems with the request id', async () => {
      const missing = await fetch(`${app.url}/v1/nothing-here`);
      assert.equal(missing.status, 404);
      assert.match(missing.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = (await missing.json()) as { code: string; requestId: string; instance: string };
      assert.equal(problem.code, 'not_found');
      assert.equal(problem.requestId, missing.headers.get('x-request-id'));
      assert.equal(problem.instance, '/v1/nothing-here');
      const nowhere = await fetch(`${app.url}/v1/nothing-here`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"address": ' });
      assert.equal(nowhere.status, 404);
      const bad = await fetch(`${app.url}/v1/carriers/nobody/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"address": ',
      });
      assert.equal(bad.status, 400);
      const body = (await bad.json()) as { code: string; detail: string };
      assert.equal(body.code, 'malformed_json');
      assert.match(body.detail, /^\(body\): not valid JSON/);
      assert.ok(bad.headers.get('x-request-id'), 'every answer carries its request id');
    });
  });

  describe('while Temporal is stopped', () => {
    let ownTemporal: Managed;
    let gateway: TemporalGateway;
    let app: Awaited<ReturnType<typeof serve>>;
    const port = Number(process.env.EI_TEST_TEMPORAL_PORT_2 ?? 7334);

    before(async () => {
      // a server of this suite's own, so stopping it disturbs no other test
      ownTemporal = await startTemporal({ port, uiPort: null });
      gateway = new TemporalGateway(`127.0.0.1:${port}`, 'default', 1500);
      app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: config() }));
    });
    after(async () => {
      await app.close();
      await gateway.close();
      await ownTemporal.stop();
    });

    it('reports Temporal down and PostgreSQL up, then up again once it is back', async () => {
      assert.equal((await ready(app.url)).body.checks.temporal.status, 'up');
      await ownTemporal.stop();
      const down = await ready(app.url);
      assert.equal(down.code, 503);
      assert.equal(down.body.status, 'not_ready');
      assert.equal(down.body.checks.temporal.status, 'down');
      assert.ok(down.body.checks.temporal.error, 'a reason is given');
      assert.equal(down.body.checks.postgres.status, 'up');
      // a route that needs Temporal says so: 503 with Retry-After, not 500
      const started = Date.now();
      const alloc = await fetch(`${app.url}/v1/reservations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await apiKey('PLATFORM', ['acct-health'])}`, 'content-type': 'application/json' },
        body: JSON.stringify({ accountId: 'acct-health', address: '+14155550100' }),
      });
      const body = (await alloc.json()) as { code: string; detail: string };
      assert.equal(alloc.status, 503, JSON.stringify(body));
      assert.match(body.detail, /Temporal is unavailable/);
      assert.equal(alloc.headers.get('retry-after'), '5');
      assert.ok(Date.now() - started < 10_000);

      ownTemporal = await startTemporal({ port, uiPort: null });
      let again = await ready(app.url);
      for (let i = 0; i < 20 && again.code !== 200; i++) {
        await new Promise((r) => setTimeout(r, 500));
        again = await ready(app.url);
      }
      assert.equal(again.code, 200, JSON.stringify(again.body));
    });
  });

  describe('while PostgreSQL is stopped', () => {
    let gateway: TemporalGateway;
    let app: Awaited<ReturnType<typeof serve>>;

    before(async () => {
      gateway = new TemporalGateway(stack().temporalAddress, 'default', 1500);
      app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: config() }));
    });
    after(async () => {
      await stack().pg.start();
      await app.close();
      await gateway.close();
    });

    it('reports PostgreSQL down and Temporal up, and recovers by itself after a restart', async () => {
      assert.equal((await ready(app.url)).code, 200);
      await stack().pg.stop();
      const down = await ready(app.url);
      assert.equal(down.code, 503);
      assert.equal(down.body.checks.postgres.status, 'down');
      assert.ok(down.body.checks.postgres.error);
      assert.equal(down.body.checks.temporal.status, 'up');

      await stack().pg.start();
      let again = await ready(app.url);
      for (let i = 0; i < 20 && again.code !== 200; i++) {
        await new Promise((r) => setTimeout(r, 250));
        again = await ready(app.url);
      }
      assert.equal(again.code, 200, JSON.stringify(again.body));
    });

    it('answers every route 503 with Retry-After while PostgreSQL is down (not 500, not a hang), and serves again after', async () => {
      const operator = await apiKey('OPERATOR');
      const platform = await apiKey('PLATFORM', ['acct-health']);
      const calls: [string, string, string, unknown?][] = [
        ['GET', '/v1/providers', operator],
        ['GET', '/v1/endpoints?npa=415', platform],
        // an area code no suite shelves: with the database up it answers none_available at once (a shelved number of another suite's could have its workflow's worker gone)
        ['POST', '/v1/allocations', platform, { accountId: 'acct-health', criteria: { npa: '684' } }],
        ['GET', '/v1/routes/%2B14155550100', operator],
      ];
      const send = ([method, path, key, body]: (typeof calls)[number]) =>
        fetch(`${app.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      for (const c of calls) assert.ok((await send(c)).status < 500, `${c[1]} answers while the database is up`);
      await stack().pg.stop();
      try {
        for (const c of calls) {
          const started = Date.now();
          const res = await send(c);
          const body = (await res.json()) as { code: string; detail: string };
          assert.equal(res.status, 503, `${c[0]} ${c[1]}: ${JSON.stringify(body)}`);
          assert.equal(body.code, 'unavailable');
          assert.match(body.detail, /PostgreSQL is unavailable/);
          assert.equal(res.headers.get('retry-after'), '5');
          assert.ok(Date.now() - started < 7_000, `${c[1]} answered in ${Date.now() - started} ms`);
        }
      } finally {
        await stack().pg.start();
      }
      for (const c of calls) {
        let status = 0;
        for (let i = 0; i < 40 && (status === 0 || status >= 500); i++) {
          status = (await send(c)).status;
          if (status >= 500) await new Promise((r) => setTimeout(r, 250));
        }
        assert.ok(status < 500, `${c[1]} recovers by itself (${status})`);
      }
    });
  });
});
