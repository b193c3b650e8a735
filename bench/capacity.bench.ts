// The capacity model's figures (docs/capacity.md), on the full Temporal
// server v1.29.1 on PostgreSQL (fsync on unless BENCH_FSYNC=off):
//
// 1. per operation — ingest to the shelf (rows, workflow, quarantine, tests,
//    AVAILABLE), allocation (POST /v1/allocations), routing lookup
//    (GET /v1/routes/{address}) — each component's CPU-ms (process CPU time of
//    the API, the worker, the Temporal server and PostgreSQL before and after
//    a batch of N, PostgreSQL's also split by the database and user its
//    backends serve) and database round trips (pg_stat_statements calls by
//    database and user: the API logs in as its own user, the worker as the
//    owner, Temporal as `temporal`; transactions from pg_stat_database);
// 2. open endpoint workflows at rest: each component's CPU over a quiet
//    window, divided by the workflows open, and the bytes they keep;
// 3. scale-out: allocations and routing lookups with 1 and 2 API replicas,
//    1 and 2 workers, on shelves of their own.
// From these: cores per 1,000 allocations/s, per 1,000 routing lookups/s
// (CPU-ms per operation = cores per 1,000 operations/s), per million open
// endpoint workflows.
//
//   node --import tsx bench/capacity.bench.ts     (BENCH_N=1000 per operation; BENCH_SCALE_N=300 per scale-out shelf;
//                                                  BENCH_IDLE_SECONDS=60)
import { Agent } from 'node:http';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { lifecyclePolicy, loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { ingestEndpoints } from '../src/usecases/ingest';
import { createApiKey } from '../src/usecases/keys';
import { say, type Managed } from '../scripts/lib/stack';
import {
  BENCH_FSYNC,
  apiDatabaseUrl,
  benchDatabase,
  benchFullTemporal,
  benchSettings,
  closedLoop,
  countBy,
  childPids,
  countsBetween,
  cpuOf,
  envNumber,
  forkWorker,
  httpRequest,
  latency,
  machine,
  pgBackendCpu,
  pgCounts,
  postmasterPid,
  printTable,
  runBench,
  startApi,
  times,
  untilStopped,
  writeResult,
  type Run,
} from './lib';

const N = envNumber('BENCH_N', 1000);
const SCALE_N = envNumber('BENCH_SCALE_N', 300);
const IDLE_SECONDS = envNumber('BENCH_IDLE_SECONDS', 60);
const CLIENTS = 16;
const TASK_QUEUE = 'bench-capacity';
const ACCOUNT = 'acct-capacity';
const NPA = '425';
/** one shelf per scale-out configuration */
const SCALE = [
  { apis: 1, workers: 1, npa: '206' },
  { apis: 2, workers: 1, npa: '253' },
  { apis: 1, workers: 2, npa: '360' },
  { apis: 2, workers: 2, npa: '509' },
];

const r2 = (x: number) => Math.round(x * 100) / 100;

runBench(async (teardown) => {
  const startedOn = machine();
  const settings = benchSettings();
  const { pg, url } = await benchDatabase('endpoint_inventory_capacity', teardown);
  const temporal = await benchFullTemporal(pg, 'capacity', teardown);
  const ours = ['endpoint_inventory_capacity', ...temporal.databases];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    LOG_LEVEL: 'warn',
    QUARANTINE_NEW: process.env.QUARANTINE_NEW ?? '1s',
    QUARANTINE_AGING: process.env.QUARANTINE_AGING ?? '1s',
    // the simulator's test traffic inside the worker: with the default (carrier) and no HARNESS_CARRIER every number failed its tests, REJECTED
    HARNESS: process.env.HARNESS ?? 'simulated',
    WORKER_START_MONITOR: 'false',
  };
  const config = loadConfig(env);
  const apiEnv = { ...env, DATABASE_URL: apiDatabaseUrl(pg, url) };
  const workers: ChildProcess[] = [await forkWorker(env, teardown)];
  const apis: { url: string; api: Managed }[] = [await startApi(apiEnv, teardown)];

  const db = createDb(url, 8);
  teardown.add('Prisma', () => db.$disconnect());
  const connection = await Connection.connect({ address: temporal.address });
  teardown.add('Temporal client', () => connection.close());
  const client = new Client({ connection });
  const pool = new Pool({ connectionString: url, max: 4 });
  teardown.add('pg pool', () => pool.end());
  await db.account.create({ data: { id: ACCOUNT, name: 'capacity' } });
  const { key } = await createApiKey(db, { name: 'capacity', scope: 'PLATFORM', accountIds: [ACCOUNT] });
  const { key: routerKey } = await createApiKey(db, { name: 'capacity routing', scope: 'OPERATOR' });
  // a fresh pool of keep-alive sockets for each batch: one idle past the API's keep-alive timeout (between batches) may be closed as it is reused
  let agent = new Agent({ keepAlive: true, maxSockets: 4 * CLIENTS });
  const freshSockets = () => {
    agent.destroy();
    agent = new Agent({ keepAlive: true, maxSockets: 4 * CLIENTS });
  };
  teardown.add('HTTP agent', () => agent.destroy());

  // ---------------------------------------------------------------- measuring
  const postmaster = postmasterPid(pg);
  const pgTree = () => {
    // the postmaster, its live children, and what its exited children used
    let sum = cpuOf(postmaster, true);
    for (const child of childPids(postmaster)) sum += cpuOf(child);
    return sum;
  };
  const reading = () => ({
    cpu: {
      api: apis.reduce((s, a) => s + cpuOf(a.api.pid), 0),
      worker: workers.reduce((s, w) => s + cpuOf(w.pid!), 0),
      temporal: cpuOf(temporal.pid),
      postgres: pgTree(),
      caller: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    },
    pgBy: pgBackendCpu(pg),
    statements: pgCounts(pg),
    at: performance.now(),
  });
  type Reading = ReturnType<typeof reading>;
  /** per operation: CPU-ms of each component and of PostgreSQL by who asked; statements by database/user */
  const perOp = (a: Reading, b: Reading, ops: number) => {
    const ms = (x: number, y: number) => r2((Math.max(0, y - x) * 1000) / ops);
    const cpuMs = Object.fromEntries(Object.keys(b.cpu).map((k) => [k, ms(a.cpu[k as keyof Reading['cpu']], b.cpu[k as keyof Reading['cpu']])]));
    const postgresCpuMsFor = Object.fromEntries(
      Object.keys(b.pgBy)
        .map((k) => [k, ms(a.pgBy[k] ?? 0, b.pgBy[k]!)] as const)
        .filter(([, v]) => v > 0),
    );
    const statements = Object.fromEntries(Object.entries(countsBetween(a.statements, b.statements)).map(([k, v]) => [k, r2(v / ops)]));
    // PostgreSQL: the backends serving this benchmark's databases (the cluster's own processes — WAL writer,
    // checkpointer — and other databases' backends are in `postgresCluster`)
    cpuMs.postgresCluster = cpuMs.postgres!;
    cpuMs.postgres = r2(Object.entries(postgresCpuMsFor).reduce((sum, [k, v]) => (ours.some((d) => k.startsWith(`${d}/`)) ? sum + v : sum), 0));
    const total = r2(cpuMs.api! + cpuMs.worker! + cpuMs.temporal! + cpuMs.postgres);
    return { ops, seconds: r2((b.at - a.at) / 1000), cpuMs, serverCpuMs: total, postgresCpuMsFor, statements };
  };
  const measure = async <T>(ops: () => number, fn: () => Promise<T>) => {
    const a = reading();
    const result = await fn();
    const b = reading();
    return { result, figures: perOp(a, b, ops()) };
  };

  const bytes = (sql: string, dbName?: string) => Number(pg.psql(sql, dbName).trim());
  const sizes = () => ({
    temporalDatabasesBytes: temporal.databases.reduce((s, d) => s + bytes(`SELECT pg_database_size('${d}')`), 0),
    endpointsTableBytes: bytes(`SELECT pg_total_relation_size('endpoints')`, 'endpoint_inventory_capacity'),
    historyTableBytes: bytes(`SELECT pg_total_relation_size('endpoint_history')`, 'endpoint_inventory_capacity'),
    workerRssBytes: workers.reduce((s, w) => s + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${w.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024, 0),
  });
  const storageBefore = sizes();

  // the same stack at rest with no endpoint workflow open: its fixed cost (polling, the server's own timers), taken off the at-rest figure below
  say(`at rest, nothing open: ${IDLE_SECONDS} s`);
  const empty = await measure(
    () => 1,
    () => new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000)),
  );

  // ---------------------------------------------------------------- ingest to the shelf
  const shelves = [{ npa: NPA, n: N }, ...SCALE.map((s) => ({ npa: s.npa, n: SCALE_N }))];
  const total = shelves.reduce((s, x) => s + x.n, 0);
  const available = async () => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM endpoints WHERE state = 'AVAILABLE'`)).rows[0]?.n ?? 0);
  say(`ingest: ${total} SMS numbers into quarantine, until all are AVAILABLE (quarantine ${env.QUARANTINE_NEW}, then the tests)`);
  const ingest = await measure(
    () => total,
    async () => {
      for (const { npa, n } of shelves) {
        const items = Array.from({ length: n }, (_, i) => ({ address: `+1${npa}${String(2_000_000 + i * 13)}`, capable: { sms: true } }));
        const res = await ingestEndpoints({ db, client, taskQueue: TASK_QUEUE, policy: lifecyclePolicy(config) }, items, {
          entry: 'quarantine',
          actor: 'bench',
          concurrency: 64,
        });
        if (res.accepted.length !== n) throw new Error(`ingested ${res.accepted.length} of ${n}`);
      }
      for (const deadline = Date.now() + 20 * 60_000; (await available()) < total;) {
        if (Date.now() > deadline) throw new Error(`not all AVAILABLE after 20 minutes: ${await available()} of ${total}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
  );
  say(`  ${total} on the shelf in ${ingest.figures.seconds} s`);

  // ---------------------------------------------------------------- allocation
  const won: string[] = [];
  const unexpected: string[] = [];
  let rr = 0;
  const allocate = async (npa: string): Promise<string> => {
    const api = apis[rr++ % apis.length]!;
    const res = await httpRequest(agent, 'POST', `${api.url}/v1/allocations`, {
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ accountId: ACCOUNT, criteria: { npa, capabilities: ['sms'] } }),
    });
    if (res.status === 201) {
      won.push((JSON.parse(res.body) as { address: string }).address);
      return '201';
    }
    if (res.status === 409 && (JSON.parse(res.body) as { code?: string }).code === 'none_available') return 'stop';
    if (unexpected.length < 10) unexpected.push(`${res.status} ${res.body.slice(0, 200)}`);
    return unexpected.length >= 10 ? 'stop' : String(res.status);
  };
  const route = async (address: string): Promise<string> => {
    const api = apis[rr++ % apis.length]!;
    const get = () => httpRequest(agent, 'GET', `${api.url}/v1/routes/${encodeURIComponent(address)}`, { headers: { authorization: `Bearer ${routerKey}` } });
    // a lookup is safe to repeat: once more if the API closed an idle keep-alive socket as it was reused
    return String((await get().catch(get)).status);
  };
  const ok = (r: Run, outcome: string) => r.samples.filter((s) => s.outcome === outcome);
  const summary = (r: Run, outcome: string) => {
    const done = ok(r, outcome);
    const until = Math.max(...done.map((s) => s.at));
    return {
      ops: done.length,
      opsPerSecond: Math.round(done.length / (until / 1000)),
      latencyMs: latency(done.map((s) => s.ms)),
      outcomes: countBy(r.samples, (s) => s.outcome),
    };
  };

  say(`warm-up (untimed): 20 routing lookups`);
  await closedLoop(4, times(20), () => route('+14255550000'));
  freshSockets();
  say(`allocation: ${CLIENTS} clients until the shelf of ${N} is empty`);
  const alloc = await measure(
    () => won.length,
    () => closedLoop(CLIENTS, untilStopped(), () => allocate(NPA)),
  );
  const allocated = [...won];
  freshSockets();
  say(`routing lookup: ${5 * N} lookups of the allocated numbers, ${CLIENTS} clients`);
  const routing = await measure(
    () => 5 * N,
    () => closedLoop(CLIENTS, times(5 * N), (i) => route(allocated[i % allocated.length]!)),
  );

  // ---------------------------------------------------------------- at rest
  const open = (await client.workflow.count(`WorkflowType = "endpointWorkflow" AND ExecutionStatus = "Running"`)).count;
  say(`at rest: ${open} open endpoint workflows, ${IDLE_SECONDS} s without requests`);
  // (per window, not per workflow: the per-workflow figures are too small to round)
  const idle = await measure(
    () => 1,
    () => new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000)),
  );
  const storage = sizes();
  const grown = {
    temporalDatabasesBytes: storage.temporalDatabasesBytes - storageBefore.temporalDatabasesBytes,
    endpointRowsBytes: storage.endpointsTableBytes + storage.historyTableBytes - storageBefore.endpointsTableBytes - storageBefore.historyTableBytes,
  };

  // ---------------------------------------------------------------- scale-out
  const scale: Record<string, unknown>[] = [];
  for (const s of SCALE) {
    while (apis.length < s.apis) apis.push(await startApi(apiEnv, teardown));
    while (apis.length > s.apis) await apis.pop()!.api.stop();
    while (workers.length < s.workers) workers.push(await forkWorker(env, teardown));
    while (workers.length > s.workers) {
      const w = workers.pop()!;
      const exited = new Promise((r) => w.once('exit', r));
      w.kill('SIGTERM');
      await exited;
    }
    freshSockets();
    say(`scale-out: ${s.apis} API, ${s.workers} worker(s): allocations until the shelf of ${SCALE_N} is empty, then ${5 * SCALE_N} routing lookups`);
    won.length = 0;
    const a = await measure(
      () => won.length,
      () => closedLoop(CLIENTS, untilStopped(), () => allocate(s.npa)),
    );
    const addresses = [...won];
    freshSockets();
    const l = await measure(
      () => 5 * SCALE_N,
      () => closedLoop(CLIENTS, times(5 * SCALE_N), (i) => route(addresses[i % addresses.length]!)),
    );
    scale.push({
      apis: s.apis,
      workers: s.workers,
      allocation: { ...summary(a.result, '201'), cpuMs: a.figures.cpuMs },
      routingLookup: { ...summary(l.result, '200'), cpuMs: l.figures.cpuMs },
    });
  }

  // ---------------------------------------------------------------- report
  const a = summary(alloc.result, '201');
  const rl = summary(routing.result, '200');
  const ops = { ingestToShelf: ingest.figures, allocation: alloc.figures, routingLookup: routing.figures };
  const stmts = (f: { statements: Record<string, number> }, who: string) =>
    r2(
      Object.entries(f.statements)
        .filter(([k]) => k.endsWith(who))
        .reduce((s, [, v]) => s + v, 0),
    );
  const appDb = 'endpoint_inventory_capacity';
  console.log();
  printTable(
    ['per operation', 'API ms', 'worker ms', 'Temporal ms', 'PostgreSQL ms', 'server total ms', 'caller ms', 'API stmts', 'worker stmts', 'Temporal stmts'],
    Object.entries(ops).map(([name, f]) => [
      name,
      f.cpuMs.api!,
      f.cpuMs.worker!,
      f.cpuMs.temporal!,
      f.cpuMs.postgres!,
      f.serverCpuMs,
      f.cpuMs.caller!,
      f.statements[`${appDb}/ei_api`] ?? 0,
      f.statements[`${appDb}/endpoint_inventory`] ?? 0,
      stmts(f, '/temporal'),
    ]),
  );
  // at rest: CPU-ms over the window, less the same window with nothing open → cores (CPU-s per s) per open workflow → per million
  const fixedCores = (k: string) => empty.figures.cpuMs[k]! / 1000 / empty.figures.seconds;
  const perMillion = (k: string) => r2((Math.max(0, idle.figures.cpuMs[k]! / 1000 / idle.figures.seconds - fixedCores(k)) / open) * 1e6);
  const idleCores = Object.fromEntries(['api', 'worker', 'temporal', 'postgres'].map((k) => [k, perMillion(k)]));
  const derived = {
    coresPer1000AllocationsPerSecond: { ...pick(alloc.figures.cpuMs), total: alloc.figures.serverCpuMs },
    coresPer1000RoutingLookupsPerSecond: { ...pick(routing.figures.cpuMs), total: routing.figures.serverCpuMs },
    coresPer1000IngestsPerSecond: { ...pick(ingest.figures.cpuMs), total: ingest.figures.serverCpuMs },
    perMillionOpenEndpointWorkflows: {
      coresAtRest: { ...idleCores, total: r2(Object.values(idleCores).reduce((s, v) => s + v, 0)) },
      // what the databases grew by from before the ingest, per open workflow
      temporalDatabaseGiB: r2(((grown.temporalDatabasesBytes / open) * 1e6) / 2 ** 30),
      endpointRowsGiB: r2(((grown.endpointRowsBytes / open) * 1e6) / 2 ** 30),
    },
  };
  console.log(`\nallocation ${a.ops} at ${a.opsPerSecond}/s, p99 ${a.latencyMs.p99} ms; routing ${rl.ops} at ${rl.opsPerSecond}/s, p99 ${rl.latencyMs.p99} ms`);
  console.log(`derived: ${JSON.stringify(derived, null, 1)}`);
  console.log();
  printTable(
    ['APIs', 'workers', 'alloc/s', 'alloc p99', 'lookups/s', 'lookup p99'],
    scale.map((s) => {
      const al = s.allocation as ReturnType<typeof summary>;
      const lo = s.routingLookup as ReturnType<typeof summary>;
      return [s.apis as number, s.workers as number, al.opsPerSecond, al.latencyMs.p99, lo.opsPerSecond, lo.latencyMs.p99];
    }),
  );
  if (unexpected.length) console.log(`unexpected answers: ${unexpected.join(' | ')}`);
  const result = {
    bench: 'capacity',
    date: settings.date,
    command: `${N === 1000 ? '' : `BENCH_N=${N} `}${BENCH_FSYNC ? '' : 'BENCH_FSYNC=off '}node --import tsx bench/capacity.bench.ts`,
    machine: startedOn,
    settings: {
      ...settings,
      temporal: `full server v1.29.1 on PostgreSQL, ${temporal.shards} history shards`,
      n: N,
      scaleN: SCALE_N,
      clients: CLIENTS,
      idleSeconds: IDLE_SECONDS,
      loadAverageAtEnd: benchSettings().loadAverage,
      notes:
        'CPU-ms per operation = process CPU time (utime+stime) of each process over the batch / operations; PostgreSQL = postmaster, live backends, reaped children; statements = pg_stat_statements calls (top level) by database/user over the batch / operations; caller = this process (the ingest client, the HTTP load)',
    },
    operations: {
      ingestToShelf: ingest.figures,
      allocation: { ...alloc.figures, ...a },
      routingLookup: { ...routing.figures, ...rl },
    },
    atRest: { openEndpointWorkflows: open, ...idle.figures, storageBefore, storage, grown },
    atRestNothingOpen: empty.figures,
    fixedCoresAtRest: Object.fromEntries(['api', 'worker', 'temporal', 'postgres'].map((k) => [k, r2(fixedCores(k) * 1000) / 1000])),
    derived,
    scaleOut: scale,
    unexpected,
  };
  say(`wrote ${writeResult('capacity', result)}`);
});

function pick(cpuMs: Record<string, number>): Record<string, number> {
  return { api: cpuMs.api!, worker: cpuMs.worker!, temporal: cpuMs.temporal!, postgres: cpuMs.postgres! };
}
