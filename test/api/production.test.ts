// EI_MODE=production: /metrics behind METRICS_KEY, the carriers' demo webhook
// secrets found in the database, and a process refusing to start on the demo's
// defaults with a message naming each setting.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildApp } from '../../src/api/app';
import { createProvider, updateProvider } from '../../src/db/providers';
import { TemporalGateway } from '../../src/temporal/gateway';
import { productionStateIssues } from '../../src/usecases/production';
import { db, stack, testConfig, testLog } from '../support/stack';
import { serve } from '../support/http';

const ROOT = join(__dirname, '..', '..');

describe('production mode', () => {
  describe('/metrics with METRICS_KEY', () => {
    let app: Awaited<ReturnType<typeof serve>>;
    let temporal: TemporalGateway;
    before(async () => {
      temporal = new TemporalGateway(stack().temporalAddress, 'default', 1500);
      app = await serve(buildApp({ db: db(), temporal, log: testLog, config: testConfig({ METRICS_KEY: 'metrics-key-0123456789' }) }));
    });
    after(async () => {
      await app.close();
      await temporal.close();
    });

    it('answers 401 without the key or with another, 200 with it', async () => {
      const without = await fetch(`${app.url}/metrics`);
      assert.equal(without.status, 401);
      assert.match(((await without.json()) as { detail: string }).detail, /METRICS_KEY/);
      assert.equal((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      const ok = await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer metrics-key-0123456789' } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /endpoint_inventory_http_request_duration_seconds/);
    });
  });

  describe("the carriers' webhook secrets", () => {
    const ids = [`prod-demo-${Date.now()}`, `prod-short-${Date.now()}`, `prod-good-${Date.now()}`];
    after(async () => {
      for (const id of ids) await updateProvider(db(), id, { active: false });
    });

    it('names each active carrier whose secret is a demo default or too short', async () => {
      // a country no other test serves, so no monitor elsewhere orders from them
      const base = { kind: 'API' as const, countries: ['ZZ'], apiBaseUrl: 'http://127.0.0.1:9/x' };
      await createProvider(db(), { ...base, id: ids[0]!, name: 'demo secret', webhookSecret: 'sim-west-secret' });
      await createProvider(db(), { ...base, id: ids[1]!, name: 'short secret', webhookSecret: 'short' });
      await createProvider(db(), { ...base, id: ids[2]!, name: 'good secret', webhookSecret: 'a-long-random-secret-0123456789' });
      const issues = await productionStateIssues(db());
      assert.ok(
        issues.some((i) => i.startsWith(`provider ${ids[0]}: webhookSecret is the demo's default`)),
        issues.join('\n'),
      );
      assert.ok(
        issues.some((i) => i.startsWith(`provider ${ids[1]}: webhookSecret is shorter than 16`)),
        issues.join('\n'),
      );
      assert.ok(!issues.some((i) => i.includes(ids[2]!)));
    });
  });

  for (const [what, main] of [
    ['API', 'src/main.ts'],
    ['worker', 'workers/main.ts'],
  ] as const) {
    it(`the ${what} refuses to start on the demo defaults, naming each setting`, async () => {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, EI_MODE: 'production', API_PORT: '0', HARNESS: 'simulated' };
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', main], { cwd: ROOT, env, timeout: 30_000 });
      const err = (await run.then(
        () => assert.fail(`the ${what} started`),
        (e: unknown) => e,
      )) as { code: number; stderr: string };
      assert.equal(err.code, 1);
      assert.match(err.stderr, /DATABASE_URL: the demo's database password/);
      assert.match(err.stderr, /HARNESS: the simulated harness/);
      assert.match(err.stderr, /METRICS_KEY: /);
      assert.match(err.stderr, /TEMPORAL_TLS: production mode wants the Temporal connection secured/);
      assert.doesNotMatch(err.stderr, /\n\s+at /, 'a refused setting is a message, not a stack trace');
    });
  }
});
