// What the HTTP benchmarks share: their own PostgreSQL cluster and Temporal
// server (apart from the tests', which may stop theirs at any time), the
// worker and the API as child processes (so the load generator never shares
// their event loop), closed- and open-loop load, percentiles, the result file.
import { mulberry32 } from '../src/carriers/simulator/simulator';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../src/db/migrate';
import {
  ensureRoleAndDatabase,
  say,
  sleep,
  spawnManaged,
  startFullTemporal,
  startPrivatePostgres,
  startTemporal,
  waitFor,
  type Managed,
  type PostgresHandle,
} from '../scripts/lib/stack';

/**
 * The benchmarks' own cluster: never the tests' (`test`, :55432) nor the demo's.
 * EI_BENCH_PG_CLUSTER / EI_BENCH_PG_PORT choose another (engineers sharing a machine).
 */
export const BENCH_PG_CLUSTER = process.env.EI_BENCH_PG_CLUSTER || 'bench';
export const BENCH_PG_PORT = Number(process.env.EI_BENCH_PG_PORT ?? 55532);
/**
 * PostgreSQL as production runs it: fsync on. BENCH_FSYNC=off is the explicit,
 * labelled exception (in the result's settings and its file name).
 */
export const BENCH_FSYNC = (() => {
  const v = (process.env.BENCH_FSYNC ?? 'on').toLowerCase();
  if (v !== 'on' && v !== 'off') throw new Error(`BENCH_FSYNC: on or off, not "${process.env.BENCH_FSYNC}"`);
  return v === 'on';
})();
/** The full Temporal server's frontend port (it takes the 8 after it too); EI_BENCH_FULL_TEMPORAL_PORT moves it. */
export const BENCH_FULL_TEMPORAL_PORT = Number(process.env.EI_BENCH_FULL_TEMPORAL_PORT ?? 7640);
/** server settings of the benchmarks' cluster: pg_stat_statements counts each component's statements (docs/capacity.md) */
const BENCH_PG_SETTINGS = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.max': '10000', 'pg_stat_statements.track': 'top' };
const ROOT = join(__dirname, '..');

/** What every result records about how it ran: PostgreSQL's durability and cluster, the load when it started. */
export function benchSettings(): { postgres: string; fsync: 'on' | 'off'; loadAverage: number[]; date: string } {
  return {
    postgres: `private cluster '${BENCH_PG_CLUSTER}' :${BENCH_PG_PORT}, fsync ${BENCH_FSYNC ? 'on' : 'off'}, pg_stat_statements`,
    fsync: BENCH_FSYNC ? 'on' : 'off',
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: a positive number, not "${raw}"`);
  return n;
}

/** Stops what a benchmark started, last started first, each once. */
export class Teardown {
  private readonly steps: { what: string; fn: () => unknown }[] = []; // fn may be sync or async: it is awaited

  add(what: string, fn: () => unknown): void {
    this.steps.push({ what, fn });
  }

  async run(): Promise<void> {
    for (const { what, fn } of this.steps.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`stopping ${what}: ${(err as Error).message}`);
      }
    }
  }
}

/**
 * A fresh, migrated database in the benchmarks' cluster (with `keep`, the one
 * an earlier run left, migrated to today's schema); the cluster is stopped at
 * the end only if this run started it.
 */
export async function benchDatabase(name: string, teardown: Teardown, opts: { keep?: boolean } = {}): Promise<{ pg: PostgresHandle; url: string }> {
  // :55532 lies in Linux's ephemeral port range, so an outgoing connection of
  // some other process can hold it for a moment: try again before giving up
  let pg: PostgresHandle | undefined;
  for (let attempt = 1; !pg; attempt++) {
    try {
      pg = await startPrivatePostgres(BENCH_PG_CLUSTER, BENCH_PG_PORT, { fsync: BENCH_FSYNC, settings: BENCH_PG_SETTINGS });
    } catch (err) {
      if (attempt === 5) throw err;
      say(`PostgreSQL did not start on :${BENCH_PG_PORT} (attempt ${attempt}); trying again`);
      await sleep(3000);
    }
  }
  // a cluster an earlier run left running with other settings (fsync off, no pg_stat_statements) is restarted with these
  const fsyncNow = pg.psql('SHOW fsync').trim() === 'on';
  if (fsyncNow !== BENCH_FSYNC || !pg.psql('SHOW shared_preload_libraries').includes('pg_stat_statements')) {
    say(`restarting PostgreSQL cluster ${BENCH_PG_CLUSTER}: fsync ${BENCH_FSYNC ? 'on' : 'off'}, pg_stat_statements`);
    await pg.stop();
    await pg.start();
  }
  if (pg.startedHere) teardown.add('PostgreSQL', () => pg.stop());
  say(`PostgreSQL ${BENCH_PG_CLUSTER} :${BENCH_PG_PORT}: fsync ${pg.psql('SHOW fsync').trim()}`);
  if (!opts.keep) pg.psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const url = ensureRoleAndDatabase(pg, 'endpoint_inventory', 'endpoint_inventory', name);
  // the view reads the whole cluster's statistics from any database: pgCounts reads it from `postgres`
  pg.psql('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await migrate(url);
  return { pg, url };
}

/**
 * A second login for the same database, member of the owner's role: the API
 * connects with it, so pg_stat_statements (by user) tells the API's statements
 * from the worker's.
 */
export function apiDatabaseUrl(pg: PostgresHandle, url: string): string {
  pg.psql(
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ei_api') THEN CREATE ROLE ei_api LOGIN PASSWORD 'ei_api' IN ROLE endpoint_inventory; END IF; END $$;`,
  );
  return url.replace(/\/\/[^@]*@/, '//ei_api:ei_api@');
}

/**
 * Statements run (pg_stat_statements `calls`, top level) and transactions
 * committed or rolled back (pg_stat_database), by database and user: read
 * before and after a batch, the difference is the batch's round trips.
 */
export function pgCounts(pg: PostgresHandle): Record<string, number> {
  const out: Record<string, number> = {};
  const rows = pg.psql(
    `SELECT d.datname || '/' || r.rolname, sum(s.calls) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid JOIN pg_roles r ON r.oid = s.userid
      WHERE d.datname <> 'postgres' GROUP BY 1
     UNION ALL
     SELECT datname || '/xacts', xact_commit + xact_rollback FROM pg_stat_database WHERE datname IS NOT NULL AND datname <> 'postgres'`,
  );
  for (const line of rows.split('\n').filter(Boolean)) {
    const [k, v] = line.split('|');
    out[k!] = Number(v);
  }
  return out;
}

/** `after` − `before`, keys that changed only. */
export function countsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) out[k] = v - (before[k] ?? 0);
  return out;
}

/** The full Temporal server (frontend, history, matching, worker services in one process) on databases of its own in the bench cluster. */
export async function benchFullTemporal(
  pg: PostgresHandle,
  name: string,
  teardown: Teardown,
  opts: { port?: number; shards?: number } = {},
): Promise<{ address: string; pid: number; shards: number; databases: string[] }> {
  const shards = opts.shards ?? envNumber('BENCH_TEMPORAL_SHARDS', 4);
  const server = await startFullTemporal({ port: opts.port ?? BENCH_FULL_TEMPORAL_PORT, pg, name, fresh: true, historyShards: shards, uiPort: null });
  teardown.add('full Temporal server', () => server.stop());
  const db = `temporal_${name.replace(/[^a-z0-9_]/gi, '_')}`;
  return { address: server.address, pid: server.pid, shards, databases: [db, `${db}_visibility`] };
}

export async function benchTemporal(port: number, teardown: Teardown): Promise<{ address: string; pid: number }> {
  const server = await startTemporal({ port, uiPort: null });
  teardown.add('Temporal', () => server.stop());
  return { address: `127.0.0.1:${port}`, pid: server.pid };
}

/** BENCH_CPU_PROF=<dir>: the worker and the API write V8 CPU profiles there (open in Chrome DevTools or speedscope) */
function profileArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}/${name}`] : [];
}

/** bench/worker.ts in a process of its own; resolves once it polls. */
export async function forkWorker(env: NodeJS.ProcessEnv, teardown: Teardown): Promise<ChildProcess> {
  const worker = fork(join(__dirname, 'worker.ts'), [], { env, execArgv: ['--import', 'tsx', ...profileArgs('worker')] });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
  });
  teardown.add('worker', async () => {
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  });
  return worker;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The API (`node --import tsx src/main.ts`) as a child process; resolves when /health answers. */
export async function startApi(env: NodeJS.ProcessEnv, teardown: Teardown): Promise<{ url: string; api: Managed }> {
  const port = await freePort();
  const api = spawnManaged('api', process.execPath, ['--import', 'tsx', ...profileArgs('api'), 'src/main.ts'], {
    cwd: ROOT,
    echo: true,
    env: { ...env, API_HOST: '127.0.0.1', API_PORT: String(port), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000' },
  });
  teardown.add('API', () => api.stop());
  const url = `http://127.0.0.1:${port}`;
  const agent = new Agent({ keepAlive: false });
  await waitFor('API', async () => (await httpRequest(agent, 'GET', `${url}/health`).catch(() => ({ status: 0 }))).status === 200, 60_000, api.exitReason);
  return { url, api };
}

// ---------------------------------------------------------------- HTTP

export interface HttpResult {
  status: number;
  body: string;
}

/** One request over node:http (less overhead in the load generator than fetch). */
export function httpRequest(agent: Agent, method: string, url: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    }
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

// ---------------------------------------------------------------- load

export interface Sample {
  ms: number;
  /** what the operation reports (an HTTP status, 'ok', …) */
  outcome: string;
  /** when it finished, ms since the run started */
  at: number;
}

export interface Run {
  samples: Sample[];
  wallMs: number;
}

/** `next` for a closed loop of `n` operations in all. */
export function times(n: number): () => number | undefined {
  let i = 0;
  return () => (i < n ? i++ : undefined);
}

/** `next` for a closed loop that runs until an operation returns 'stop'. */
export const untilStopped = (): (() => number) => () => 0;

/**
 * Closed loop: `clients` workers, each sending its next operation when its
 * last one is answered, until `next()` says there is no more (undefined) or
 * `op` returns 'stop'.
 */
export async function closedLoop<T>(clients: number, next: () => T | undefined, op: (item: T, client: number) => Promise<string>): Promise<Run> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let item = next(); item !== undefined; item = next()) {
        const start = performance.now();
        const outcome = await op(item, client);
        const end = performance.now();
        samples.push({ ms: end - start, outcome, at: end - t0 });
        if (outcome === 'stop') return;
      }
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

/**
 * Open loop at a fixed rate: request k is due at t0 + k/rate whether or not
 * earlier ones are answered, and its latency runs from that due time, so a
 * stall shows up in every request it delays (no coordinated omission).
 */
export async function openLoop(
  ratePerSecond: number,
  seconds: number,
  op: (k: number) => Promise<string>,
): Promise<Run & { sent: number; maxSendLagMs: number }> {
  const total = Math.round(ratePerSecond * seconds);
  const interval = 1000 / ratePerSecond;
  const samples: Sample[] = [];
  const inFlight: Promise<void>[] = [];
  let maxSendLagMs = 0;
  const t0 = performance.now();
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (k < total && t0 + k * interval <= now) {
        const due = t0 + k * interval;
        maxSendLagMs = Math.max(maxSendLagMs, now - due);
        inFlight.push(
          op(k).then(
            (outcome) => {
              const end = performance.now();
              samples.push({ ms: end - due, outcome, at: end - t0 });
            },
            (err: unknown) => {
              const end = performance.now();
              samples.push({ ms: end - due, outcome: `error: ${(err as Error).message}`, at: end - t0 });
            },
          ),
        );
        k++;
      }
      if (k >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + k * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  return { samples, wallMs: performance.now() - t0, sent: total, maxSendLagMs };
}

// ---------------------------------------------------------------- CPU

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** utime + stime (+ reaped children's, with `children`) of a process, in seconds; 0 when it is gone. */
export function cpuOf(pid: number, children = false): number {
  try {
    // the command name may hold spaces: the fields start after its closing parenthesis
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // fields 14-17 of proc(5), counted from 3 here
    const own = (f[11] ?? 0) + (f[12] ?? 0);
    return (children ? own + (f[13] ?? 0) + (f[14] ?? 0) : own) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) out.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** CPU seconds of the whole machine since boot (all cores): busy (user, nice, system, irq, softirq), and stolen by the hypervisor. */
function machineSeconds(): { busy: number; steal: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const busy = [0, 1, 2, 5, 6].reduce((sum, i) => sum + (f[i] ?? 0), 0);
  return { busy: busy / TICKS_PER_SECOND, steal: (f[7] ?? 0) / TICKS_PER_SECOND };
}

/** The postmaster of a cluster, from its data directory. */
export function postmasterPid(pg: PostgresHandle): number {
  const dir = pg.psql('SHOW data_directory').trim();
  const file = join(dir, 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : 0;
}

/**
 * CPU seconds each part of the stack spends over a stretch of a benchmark: on
 * two cores, which part the work lands on says as much as the latency does.
 * A PostgreSQL cluster counts its postmaster, every live backend, and the
 * backends that exited (reaped by the postmaster).
 */
export class CpuMeter {
  constructor(private readonly parts: Record<string, { pid: number; tree?: boolean }>) {}

  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, { pid, tree }] of Object.entries(this.parts)) {
      out[name] = tree ? cpuOf(pid, true) + childPids(pid).reduce((sum, c) => sum + cpuOf(c), 0) : cpuOf(pid);
    }
    const self = process.cpuUsage();
    out.bench = (self.user + self.system) / 1e6;
    const m = machineSeconds();
    out.machine = m.busy;
    out.steal = m.steal;
    return out;
  }

  /** Runs `fn`; returns its result and each part's CPU seconds over it. */
  async measure<T>(fn: () => Promise<T>): Promise<{ result: T; cpuSeconds: Record<string, number> }> {
    const before = this.read();
    const result = await fn();
    const after = this.read();
    const cpuSeconds: Record<string, number> = {};
    // (a backend that exits between the readings can make a cluster's figure dip a little below zero)
    for (const k of Object.keys(after)) cpuSeconds[k] = Math.max(0, Math.round(((after[k] ?? 0) - (before[k] ?? 0)) * 100) / 100);
    return { result, cpuSeconds: withOthers(cpuSeconds) };
  }
}

/**
 * Adds `others`: what else ran on the machine meanwhile (another test run,
 * say) and took at least that much CPU from the benchmark. A lower bound: the
 * machine's counters are sampled at clock ticks and miss short bursts that a
 * process's own figures are charged with, so for many short requests the
 * parts can add up to more than the machine (then `others` is 0).
 */
export function withOthers(cpuSeconds: Record<string, number>): Record<string, number> {
  const ours = Object.entries(cpuSeconds).reduce((sum, [k, v]) => (k === 'machine' || k === 'steal' || k === 'others' ? sum : sum + v), 0);
  return { ...cpuSeconds, others: Math.max(0, Math.round(((cpuSeconds.machine ?? 0) - ours) * 100) / 100) };
}

/** Sums the CPU seconds of several stretches. */
export function sumCpu(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) if (k !== 'others') out[k] = Math.round(((out[k] ?? 0) + v) * 100) / 100;
  return withOthers(out);
}

// ---------------------------------------------------------------- figures

export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Nearest-rank percentiles, in ms to two places. */
export function latency(ms: number[]): Latency {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.max(0, Math.ceil(q * s.length) - 1)] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    count: s.length,
    p50: round2(at(0.5)),
    p90: round2(at(0.9)),
    p99: round2(at(0.99)),
    p999: round2(at(0.999)),
    max: round2(s.at(-1) ?? NaN),
    mean: round2(mean),
  };
}

export function countBy<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

export function machine(): { cores: number; cpu: string; memoryGiB: number; node: string; platform: string; loadAverage1mAtStart: number } {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage1mAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/** Prints rows as an aligned table. */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const [n, r] of cells.entries()) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export function writeResult(name: string, result: object): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}${BENCH_FSYNC ? '' : '-fsync-off'}.json`);
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
  return path;
}

/** A small seeded PRNG (the simulator's mulberry32), so every run asks the same questions. */
export const prng = mulberry32;

/** Runs `main`, always runs the teardown, exits 1 on failure. */
export function runBench(main: (teardown: Teardown) => Promise<void>): void {
  const teardown = new Teardown();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await teardown.run();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));
  main(teardown).then(
    () => stop(0),
    (err: unknown) => {
      console.error(err);
      return stop(1);
    },
  );
}

/**
 * CPU seconds of a cluster's live backends by the database and user they
 * serve (pg_stat_activity): PostgreSQL's CPU split by who asked. Pooled
 * connections live through a batch; a backend that exits meanwhile is missed.
 */
export function pgBackendCpu(pg: PostgresHandle): Record<string, number> {
  const out: Record<string, number> = {};
  const rows = pg.psql(`SELECT pid, datname || '/' || usename FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname IS NOT NULL`);
  for (const line of rows.split('\n').filter(Boolean)) {
    const [pid, who] = line.split('|');
    out[who!] = (out[who!] ?? 0) + cpuOf(Number(pid));
  }
  return out;
}
