// Benchmark (issues 3 and 16): ingesting N numbers into quarantine — rows,
// first history entries and a running lifecycle workflow each — against the
// baseline of starting N empty workflows on the same server, in the same run;
// on the Temporal dev server (CLI, in memory) and on the full Temporal server
// (v1.29.1, persistence and visibility in PostgreSQL), one after the other in
// the same run, reported in one table with the ratios between them.
//
// With BENCH_INGEST_COUNT (e.g. 100000), also a memory case on the full
// server: that many numbers ingested while the worker's RSS and V8 heap are
// sampled each second; start / peak / end and the slope over the second half
// of the run are reported, and the run fails (exit 1) if the worker's memory
// grows beyond MEMORY_BOUND (docs/benchmarks.md).
//
//   node --import tsx bench/ingest.bench.ts                       (BENCH_N=2000 per case, both servers)
//   BENCH_INGEST_COUNT=100000 node --import tsx bench/ingest.bench.ts
//   BENCH_SERVERS=full, BENCH_FSYNC=off (labelled), EI_BENCH_PG_CLUSTER / EI_BENCH_PG_PORT,
//   BENCH_TEMPORAL_PORT (dev, 7433) / EI_BENCH_FULL_TEMPORAL_PORT (full, 7640 and the 8 after it)
//
// Own PostgreSQL cluster (bench/lib.ts: fsync on unless BENCH_FSYNC=off); the
// worker runs as a child process (bench/worker.ts), so its memory is its own.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { lifecyclePolicy, loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { forEachLimit, ingestEndpoints } from '../src/usecases/ingest';
import { say } from '../scripts/lib/stack';
import {
  BENCH_FSYNC,
  CpuMeter,
  Teardown,
  benchDatabase,
  benchFullTemporal,
  benchSettings,
  benchTemporal,
  countsBetween,
  envNumber,
  forkWorker,
  machine,
  pgCounts,
  postmasterPid,
  printTable,
  runBench,
  writeResult,
} from './lib';

const N = envNumber('BENCH_N', 2000);
const BIG = process.env.BENCH_INGEST_COUNT ? envNumber('BENCH_INGEST_COUNT', 0) : 0;
const SERVERS = (process.env.BENCH_SERVERS ?? 'dev,full').split(',').map((s) => s.trim());
const CONCURRENCY = 64;
const DEV_PORT = envNumber('BENCH_TEMPORAL_PORT', 7433);
const TASK_QUEUE = 'bench-ingest';
const GOAL = { ingestToEmptyRatioAtMost: 2 };
/**
 * The worker's memory is flat when, over the second half of the big ingest
 * (its workflow cache full, WORKER_MAX_CACHED_WORKFLOWS), RSS grows by at most
 * 5 MiB and the V8 heap by at most 2 MiB per 10,000 more open endpoint
 * workflows, and RSS never passes 1 GiB.
 */
const MEMORY_BOUND = { peakRssMiB: 1024, rssSlopeMiBPer10k: 5, heapSlopeMiBPer10k: 2 };

let workerMaxCachedWorkflows = 0;
const MiB = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The worker's own process.memoryUsage(), asked over IPC (bench/worker.ts answers); null if it does not answer in 2 s. */
function heapOf(worker: ChildProcess): Promise<NodeJS.MemoryUsage | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      worker.off('message', onMessage);
      resolve(null);
    }, 2000);
    const onMessage = (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'memory' in m) {
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve((m as { memory: NodeJS.MemoryUsage }).memory);
      }
    };
    worker.on('message', onMessage);
    worker.send('memory');
  });
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
}

interface CaseResult {
  server: 'dev' | 'full';
  temporal: string;
  emptyWorkflows: { ms: number; perSecond: number; cpuMsPerOp: Record<string, number>; dbStatementsPerOp: Record<string, number> };
  ingest: {
    ms: number;
    perSecond: number;
    rowsInQuarantine: number;
    openEndpointWorkflows: number;
    cpuMsPerOp: Record<string, number>;
    dbStatementsPerOp: Record<string, number>;
  };
  ratioIngestToEmpty: number;
  memory?: MemoryCase;
}

interface MemoryCase {
  endpoints: number;
  ms: number;
  perSecond: number;
  openEndpointWorkflows: number;
  samples: number;
  rssMiB: { start: number; peak: number; end: number; slopePer10kSecondHalf: number };
  heapUsedMiB: { start: number; peak: number; end: number; slopePer10kSecondHalf: number };
  bound: typeof MEMORY_BOUND;
  flat: boolean;
  series: { done: number; seconds: number; rssMiB: number; heapUsedMiB: number | null }[];
}

const perOp = (x: Record<string, number>, ops: number, scale: number) =>
  Object.fromEntries(Object.entries(x).map(([k, v]) => [k, Math.round(((v * scale) / ops) * 100) / 100]));

async function onServer(server: 'dev' | 'full', outer: Teardown): Promise<CaseResult> {
  const teardown = new Teardown();
  try {
    const { pg, url } = await benchDatabase(`endpoint_inventory_ingestbench_${server}`, outer);
    const temporal =
      server === 'dev'
        ? { ...(await benchTemporal(DEV_PORT, teardown)), label: `dev server (CLI v1.5.1, in memory) :${DEV_PORT}`, databases: [] as string[] }
        : await (async () => {
            const full = await benchFullTemporal(pg, 'ingestbench', teardown);
            return { ...full, label: `full server v1.29.1 on PostgreSQL, ${full.shards} history shards, ${full.address}` };
          })();
    const env = {
      ...process.env,
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      LOG_LEVEL: 'warn',
      WORKER_START_MONITOR: 'false',
    };
    const config = loadConfig(env);
    workerMaxCachedWorkflows = config.WORKER_MAX_CACHED_WORKFLOWS;
    const worker = await forkWorker(env, teardown);
    const connection = await Connection.connect({ address: temporal.address });
    teardown.add('Temporal client', () => connection.close());
    const client = new Client({ connection });
    const db = createDb(url, 16);
    teardown.add('Prisma', () => db.$disconnect());
    const meter = new CpuMeter({ worker: { pid: worker.pid! }, temporal: { pid: temporal.pid }, postgres: { pid: postmasterPid(pg), tree: true } });
    const measured = async (fn: () => Promise<unknown>) => {
      const before = pgCounts(pg);
      const { cpuSeconds } = await meter.measure(fn);
      return { cpuSeconds, db: countsBetween(before, pgCounts(pg)) };
    };
    const openCount = async (want: number) => {
      // visibility is eventually consistent: give it a moment to count them all
      let open = 0;
      for (let i = 0; i < 300 && open < want; i++) {
        open = (await client.workflow.count(`WorkflowType = "endpointWorkflow" AND ExecutionStatus = "Running"`)).count;
        if (open < want) await new Promise((r) => setTimeout(r, 200));
      }
      return open;
    };

    // warm-up, untimed: the worker's first workflow tasks create its V8 contexts
    await forEachLimit(
      Array.from({ length: 200 }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        await client.workflow.start('idleWorkflow', { taskQueue: TASK_QUEUE, workflowId: `warmup/${i}` });
      },
    );

    say(`${server}: baseline, starting ${N} empty workflows`);
    let t = performance.now();
    const empty = await measured(() =>
      forEachLimit(
        Array.from({ length: N }, (_, i) => i),
        CONCURRENCY,
        async (i) => {
          await client.workflow.start('idleWorkflow', { taskQueue: TASK_QUEUE, workflowId: `idle/${i}` });
        },
      ),
    );
    const emptyMs = performance.now() - t;

    say(`${server}: ingest, ${N} numbers into quarantine (rows + workflows)`);
    const deps = { db, client, taskQueue: TASK_QUEUE, policy: lifecyclePolicy(config) };
    const numbers = (npa: string, n: number) => Array.from({ length: n }, (_, i) => ({ address: `+1${npa}${String(2_000_000 + i * 7)}` }));
    t = performance.now();
    let res: Awaited<ReturnType<typeof ingestEndpoints>> | undefined;
    const ing = await measured(async () => {
      res = await ingestEndpoints(deps, numbers('415', N), { entry: 'quarantine', actor: 'bench', concurrency: CONCURRENCY });
    });
    const ingestMs = performance.now() - t;
    if (res?.accepted.length !== N) throw new Error(`ingested ${res?.accepted.length} of ${N}: ${JSON.stringify(res?.rejected.slice(0, 3))}`);
    const rows = await db.endpoint.count({ where: { state: 'QUARANTINE' } });
    const open = await openCount(N);

    const result: CaseResult = {
      server,
      temporal: temporal.label,
      emptyWorkflows: {
        ms: Math.round(emptyMs),
        perSecond: Math.round(N / (emptyMs / 1000)),
        cpuMsPerOp: perOp(empty.cpuSeconds, N, 1000),
        dbStatementsPerOp: perOp(empty.db, N, 1),
      },
      ingest: {
        ms: Math.round(ingestMs),
        perSecond: Math.round(N / (ingestMs / 1000)),
        rowsInQuarantine: rows,
        openEndpointWorkflows: open,
        cpuMsPerOp: perOp(ing.cpuSeconds, N, 1000),
        dbStatementsPerOp: perOp(ing.db, N, 1),
      },
      ratioIngestToEmpty: +(ingestMs / emptyMs).toFixed(2),
    };

    if (server === 'full' && BIG) result.memory = await memoryCase(BIG, { worker, deps, openCount, already: N });
    return result;
  } finally {
    await teardown.run();
  }
}

async function memoryCase(
  count: number,
  ctx: {
    worker: ChildProcess;
    deps: Parameters<typeof ingestEndpoints>[0];
    openCount: (want: number) => Promise<number>;
    already: number;
  },
): Promise<MemoryCase> {
  say(`full: memory case, ${count} numbers into quarantine, the worker's RSS and heap sampled each second`);
  const { worker } = ctx;
  const series: MemoryCase['series'] = [];
  let done = 0;
  const t0 = performance.now();
  const sampling = { on: true };
  const sampler = (async () => {
    while (sampling.on) {
      const heap = await heapOf(worker);
      series.push({
        done,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        rssMiB: MiB(rssOf(worker.pid!)),
        heapUsedMiB: heap ? MiB(heap.heapUsed) : null,
      });
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  // 10,000 at a time, as an operator's import of a large file would (one chunk's rows, then its workflows)
  const STEP = 10_000;
  let accepted = 0;
  let lastSaid = 0;
  try {
    for (let from = 0; from < count; from += STEP) {
      const n = Math.min(STEP, count - from);
      // +1 628 2xxxxxx … : apart from the cases' numbers
      const items = Array.from({ length: n }, (_, i) => ({ address: `+1628${String(2_000_000 + (from + i) * 7)}` }));
      const res = await ingestEndpoints(ctx.deps, items, {
        entry: 'quarantine',
        actor: 'bench',
        concurrency: CONCURRENCY,
        onProgress: (d) => {
          done = from + d;
        },
      });
      accepted += res.accepted.length;
      done = from + n;
      if (done - lastSaid >= count / 10) {
        lastSaid = done;
        const last = series.at(-1);
        say(`  ${done}/${count} (${Math.round((performance.now() - t0) / 1000)} s; worker RSS ${last?.rssMiB} MiB, heap ${last?.heapUsedMiB} MiB)`);
      }
    }
  } finally {
    sampling.on = false;
    await sampler;
  }
  const ms = performance.now() - t0;
  if (accepted !== count) throw new Error(`memory case: ingested ${accepted} of ${count}`);
  // the worker finishes the workflow tasks still queued; then one more reading
  await new Promise((r) => setTimeout(r, 5000));
  const heap = await heapOf(worker);
  series.push({
    done: count,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    rssMiB: MiB(rssOf(worker.pid!)),
    heapUsedMiB: heap ? MiB(heap.heapUsed) : null,
  });
  const open = await ctx.openCount(ctx.already + count);
  const half = series.filter((s) => s.done >= count / 2);
  const rss = series.map((s) => s.rssMiB);
  const heaps = series.map((s) => s.heapUsedMiB).filter((h): h is number => h !== null);
  const rssSlope = slope(half.map((s) => ({ x: s.done / 10_000, y: s.rssMiB })));
  const heapSlope = slope(half.filter((s) => s.heapUsedMiB !== null).map((s) => ({ x: s.done / 10_000, y: s.heapUsedMiB! })));
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const peakRss = Math.max(...rss);
  return {
    endpoints: count,
    ms: Math.round(ms),
    perSecond: Math.round(count / (ms / 1000)),
    openEndpointWorkflows: open,
    samples: series.length,
    rssMiB: { start: rss[0] ?? 0, peak: peakRss, end: rss.at(-1) ?? 0, slopePer10kSecondHalf: r1(rssSlope) },
    heapUsedMiB: { start: heaps[0] ?? 0, peak: Math.max(...heaps), end: heaps.at(-1) ?? 0, slopePer10kSecondHalf: r1(heapSlope) },
    bound: MEMORY_BOUND,
    flat: peakRss <= MEMORY_BOUND.peakRssMiB && rssSlope <= MEMORY_BOUND.rssSlopeMiBPer10k && heapSlope <= MEMORY_BOUND.heapSlopeMiBPer10k,
    // every 10th sample, to keep the file readable
    series: series.filter((_, i) => i % 10 === 0 || i === series.length - 1),
  };
}

runBench(async (teardown) => {
  const startedOn = machine();
  const settings = benchSettings();
  const cases: CaseResult[] = [];
  for (const server of SERVERS) {
    if (server !== 'dev' && server !== 'full') throw new Error(`BENCH_SERVERS: dev and/or full, not "${server}"`);
    cases.push(await onServer(server, teardown));
  }

  const dev = cases.find((c) => c.server === 'dev');
  const full = cases.find((c) => c.server === 'full');
  console.log();
  printTable(
    ['server', 'empty wf/s', 'ingest/s', 'ingest/empty (time)', 'full/dev (ingest time)', 'cpu ms/ingest (worker, temporal, pg)', 'pg stmts/ingest'],
    cases.map((c) => [
      c.server,
      c.emptyWorkflows.perSecond,
      c.ingest.perSecond,
      c.ratioIngestToEmpty,
      dev && c !== dev ? +(c.ingest.ms / dev.ingest.ms).toFixed(2) : 1,
      `${c.ingest.cpuMsPerOp.worker}, ${c.ingest.cpuMsPerOp.temporal}, ${c.ingest.cpuMsPerOp.postgres}`,
      Object.entries(c.ingest.dbStatementsPerOp)
        .filter(([k]) => !k.endsWith('/xacts'))
        .reduce((s, [, v]) => s + v, 0)
        .toFixed(1),
    ]),
  );
  console.log(`(${N} per case; fsync ${BENCH_FSYNC ? 'on' : 'OFF'}; load ${settings.loadAverage.join(' ')} at start)`);
  const mem = full?.memory;
  if (mem) {
    console.log(
      `\nmemory case, ${mem.endpoints} on the full server: ${mem.perSecond}/s; worker RSS start ${mem.rssMiB.start} peak ${mem.rssMiB.peak} end ${mem.rssMiB.end} MiB ` +
        `(slope ${mem.rssMiB.slopePer10kSecondHalf} MiB / 10k, second half); heap start ${mem.heapUsedMiB.start} peak ${mem.heapUsedMiB.peak} end ${mem.heapUsedMiB.end} MiB ` +
        `(slope ${mem.heapUsedMiB.slopePer10kSecondHalf} MiB / 10k); bound ${JSON.stringify(MEMORY_BOUND)}: ${mem.flat ? 'flat' : 'GROWS'}`,
    );
  }
  const command = [
    N === 2000 ? '' : `BENCH_N=${N}`,
    BIG ? `BENCH_INGEST_COUNT=${BIG}` : '',
    process.env.BENCH_SERVERS ? `BENCH_SERVERS=${process.env.BENCH_SERVERS}` : '',
    BENCH_FSYNC ? '' : 'BENCH_FSYNC=off',
    'node --import tsx bench/ingest.bench.ts',
  ]
    .filter(Boolean)
    .join(' ');
  const result = {
    bench: 'ingest',
    date: settings.date,
    command,
    machine: startedOn,
    settings: { ...settings, n: N, concurrency: CONCURRENCY, workerMaxCachedWorkflows },
    cases,
    ratioFullToDevIngestTime: dev && full ? +(full.ingest.ms / dev.ingest.ms).toFixed(2) : null,
    ratioFullToDevEmptyTime: dev && full ? +(full.emptyWorkflows.ms / dev.emptyWorkflows.ms).toFixed(2) : null,
    goal: { ...GOAL, memory: MEMORY_BOUND },
    met: {
      ratio: cases.every((c) => c.ratioIngestToEmpty <= GOAL.ingestToEmptyRatioAtMost),
      ...(mem ? { memoryFlat: mem.flat } : {}),
    },
  };
  say(`wrote ${writeResult(BIG ? `ingest-memory-${BIG}` : 'ingest', result)}`);
  if (mem && !mem.flat)
    throw new Error(
      `the worker's memory grew beyond the bound ${JSON.stringify(MEMORY_BOUND)}: ${JSON.stringify(mem.rssMiB)} ${JSON.stringify(mem.heapUsedMiB)}`,
    );
});
