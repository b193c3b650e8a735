// The built artefact: `npm run build` emits dist/ (tsc) and a prebuilt workflow
// bundle, and the built worker and API run on node alone (no tsx) in production
// mode against the test stack: the worker polls with the prebuilt bundle, the
// API answers /health and /ready and keeps /metrics behind its key.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureRoleAndDatabase } from '../../scripts/lib/stack';
import { migrate } from '../../src/db/migrate';
import { metricRuleViolations } from '../support/metrics';
import { stack, uniqueTaskQueue } from '../support/stack';

const ROOT = join(__dirname, '..', '..');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts `node <file>` (no loader), collecting its output; resolves when `ready` appears in it. */
function start(file: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not seen within ${ms} ms; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the built artefact (npm run build)', function () {
  this.timeout(240_000);
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) {
      if (c.exitCode !== null) continue;
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
  });

  it('emits dist/ with a prebuilt workflow bundle and executable bin entries', () => {
    const t0 = Date.now();
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
    console.log(`      (npm run build: ${Date.now() - t0} ms)`);
    assert.ok(existsSync(join(ROOT, 'dist', 'workflow-bundle.js')));
    const bins = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
    assert.deepEqual(Object.keys(bins).sort(), ['endpoint-inventory-api', 'endpoint-inventory-migrate', 'endpoint-inventory-worker', 'ops']);
    for (const file of Object.values(bins)) {
      assert.ok(readFileSync(join(ROOT, file), 'utf8').startsWith('#!/usr/bin/env node\n'), file);
      assert.ok(statSync(join(ROOT, file)).mode & 0o111, `${file} is executable`);
    }
    const help = execFileSync(process.execPath, [join(ROOT, bins.ops!), '--help'], { encoding: 'utf8' });
    assert.match(help, /reconcile/);
  });

  it('the built worker and API run on node alone in production mode', async () => {
    // a database of its own: production mode refuses the demo password and the short carrier secrets other suites leave
    const password = 'built-test-password-0123456789';
    const databaseUrl = ensureRoleAndDatabase(stack().pg, 'ei_built', password, 'endpoint_inventory_built');
    await migrate(databaseUrl);
    const apiPort = await freePort();
    const workerMetricsPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      EI_MODE: 'production',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: stack().temporalAddress,
      // the test's dev server speaks plain gRPC on loopback
      TEMPORAL_ALLOW_PLAINTEXT: 'true',
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('built'),
      WORKER_START_MONITOR: 'false',
      METRICS_KEY: 'built-metrics-key-0123456789',
      API_PORT: String(apiPort),
      WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
    };
    const worker = start('dist/workers/main.js', env);
    const api = start('dist/src/main.js', env);
    children.push(worker.child, api.child);
    const url = `http://127.0.0.1:${apiPort}`;
    const status = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${url}${path}`, { headers }).catch(() => undefined))?.status;
    await until('the API answering /health', async () => (await status('/health')) === 200, 60_000, api.output);
    assert.equal(await status('/ready'), 200);
    assert.equal(await status('/metrics'), 401);
    assert.equal(await status('/metrics', { authorization: 'Bearer built-metrics-key-0123456789' }), 200);
    await until(
      'the worker running with the prebuilt bundle',
      () => /"workflows":"prebuilt bundle [^"]*workflow-bundle\.js","msg":"worker running"/.test(worker.output()),
      90_000,
      worker.output,
    );
    assert.doesNotMatch(worker.output() + api.output(), /tsx/);
    // the worker's SDK metrics: Prometheus names, counters ending in _total, gauges not
    // behind METRICS_KEY, like the API's
    assert.equal((await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).status, 401);
    const metrics = await (
      await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`, { headers: { authorization: 'Bearer built-metrics-key-0123456789' } })
    ).text();
    assert.match(metrics, /^temporal_worker_task_slots_available\{/m);
    assert.match(metrics, /^# TYPE temporal_\w+_total counter$/m);
    assert.deepEqual(metricRuleViolations(metrics), []);
  });
});
