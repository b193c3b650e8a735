// The worker and the API as a scraper and a log collector see them: the
// worker's SDK logs (its TypeScript side's and its Rust core's) as pino JSON
// lines; the worker's /metrics (its own and the Temporal SDK's) and the API's,
// both behind METRICS_KEY, checked against naming rules mechanically.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app';
import { freeLoopbackAddress } from '../../workers/metrics';
import { TemporalGateway } from '../../src/temporal/gateway';
import { serve } from '../support/http';
import { NODE_DEFAULTS, metricRuleViolations } from '../support/metrics';
import { db, stack, testConfig, testLog, uniqueTaskQueue } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const KEY = 'observability-metrics-key-0123456789';

const freePort = async () => Number((await freeLoopbackAddress()).split(':')[1]);

describe('observability: SDK logs as pino JSON, metrics by the rules', function () {
  this.timeout(180_000);

  it('the naming rules catch what they are for (a gauge named _total, a prefixed Node metric, a grouping by name)', () => {
    const defaults = NODE_DEFAULTS.map((n) => `# TYPE ${n} ${n.endsWith('_total') ? 'counter' : 'gauge'}\n${n} 1`).join('\n');
    assert.deepEqual(metricRuleViolations(defaults), []);
    assert.deepEqual(metricRuleViolations(`${defaults}\n# TYPE x_total gauge\nx_total 1`), ['x_total: a gauge named _total']);
    assert.deepEqual(metricRuleViolations(`${defaults}\n# TYPE x counter\nx 1`), ['x: a counter not named _total']);
    assert.ok(metricRuleViolations(`# TYPE endpoint_inventory_api_process_cpu_seconds_total counter`).some((v) => /custom prefix/.test(v)));
    assert.deepEqual(metricRuleViolations(`${defaults}\n# TYPE g gauge\ng{grouping="US local"} 1`), ['g: grouping="US local" is not an id']);
    assert.deepEqual(metricRuleViolations(`${defaults}\n# TYPE g gauge\ng{name="x"} 1`), ['g: labelled with an editable name']);
  });

  describe('the worker', () => {
    let child: ChildProcess | undefined;
    let stdout = '';
    let stderr = '';
    let metricsUrl = '';

    before(async () => {
      const port = await freePort();
      metricsUrl = `http://127.0.0.1:${port}/metrics`;
      child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          WORKER_SDK_LOG_LEVEL: 'info',
          DATABASE_URL: stack().databaseUrl,
          TEMPORAL_ADDRESS: stack().temporalAddress,
          TEMPORAL_TASK_QUEUE: uniqueTaskQueue('observability'),
          WORKER_START_MONITOR: 'false',
          WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
          METRICS_KEY: KEY,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const end = Date.now() + 150_000;
      while (!/"msg":"worker running"/.test(stdout)) {
        if (child.exitCode !== null || Date.now() > end) throw new Error(`the worker did not start:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // the SDK's first polls (and core's lines about them) come soon after
      await new Promise((r) => setTimeout(r, 2000));
    });
    after(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child!.once('exit', r));
        child.kill('SIGTERM');
        const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
        if (!stopped) child.kill('SIGKILL');
      }
    });

    it("logs the SDK's lines, its TypeScript side's and its core's, as pino JSON on stdout, and nothing else anywhere", () => {
      const lines = stdout.split('\n').filter(Boolean);
      const parsed = lines.map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return assert.fail(`a stdout line that is not JSON: ${l}`);
        }
      });
      for (const p of parsed) {
        assert.equal(p.name, 'worker', JSON.stringify(p));
        assert.equal(typeof p.level, 'number');
        assert.equal(typeof p.time, 'number');
      }
      const sdk = parsed.filter((p) => p.sdkComponent === 'worker');
      assert.ok(sdk.length > 0, `no SDK line among:\n${lines.join('\n')}`);
      assert.ok(
        sdk.some((p) => /Worker state changed|Worker/.test(String(p.msg))),
        sdk.map((p) => p.msg).join('\n'),
      );
      const core = parsed.filter((p) => p.sdkComponent === 'core');
      assert.ok(core.length > 0, `no line forwarded from the SDK's core among:\n${lines.join('\n')}`);
      assert.equal(stderr.trim(), '', 'nothing printed outside pino');
    });

    it('serves /metrics behind METRICS_KEY: its own (Node defaults, usual names) and the Temporal SDK’s, by the naming rules', async () => {
      assert.equal((await fetch(metricsUrl)).status, 401);
      assert.equal((await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      const res = await fetch(metricsUrl, { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.match(text, /^temporal_worker_task_slots_available\{/m, "the SDK's metrics");
      assert.match(text, /^# TYPE temporal_\w+_total counter$/m);
      assert.match(text, /^process_cpu_user_seconds_total \d/m, "the worker's own");
      assert.match(text, /^endpoint_inventory_worker_scrape_errors_total\{source="temporal_sdk"\} 0$/m);
      assert.deepEqual(metricRuleViolations(text), []);
    });
  });

  describe('the API', () => {
    let app: Awaited<ReturnType<typeof serve>>;
    let gateway: TemporalGateway;
    before(async () => {
      gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
      app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: testConfig({ METRICS_KEY: KEY }) }));
    });
    after(async () => {
      await app.close();
      await gateway.close();
    });

    it('serves /metrics by the same rules: Node defaults under their usual names, groupings by id', async () => {
      const g = await db().classificationGrouping.create({
        data: { name: 'observability grouping', tags: ['npa:998'], key: 'npa:998', minAvailable: 1, targetAvailable: 2, maxAvailable: 3 },
      });
      try {
        await fetch(`${app.url}/health`);
        const text = await (await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).text();
        assert.match(text, new RegExp(`^endpoint_inventory_grouping_minimum\\{grouping="${g.id}"\\} 1$`, 'm'));
        assert.deepEqual(metricRuleViolations(text), []);
      } finally {
        await db().classificationGrouping.delete({ where: { id: g.id } });
      }
    });
  });
});
