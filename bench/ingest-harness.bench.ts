// Benchmark (issue 18): ingesting N numbers through the capability tests —
// a 1-second quarantine, then each number's tests placed as real test traffic:
// through the carrier simulator's test-call API and back to the API's signed
// inbound entry (BENCH_HARNESS=carrier, the default), or inside the worker
// (simulated) — timed until all N are AVAILABLE; against the baseline of
// starting N empty workflows on the same server, in the same run. The worker's
// peak memory too. (Set BENCH_HARNESS=none for plain ingest into a 30-day
// quarantine; bench/ingest.bench.ts compares the dev and the full server.)
//
//   npm run bench:ingest-harness     (N = 10000; BENCH_N=300 for a quick look)
//
// Starts its own Temporal dev server (in memory, BENCH_TEMPORAL_PORT, :7433)
// and uses the benchmarks' PostgreSQL cluster (bench/lib.ts: fsync on unless
// BENCH_FSYNC=off) with a database of its own.
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { lifecyclePolicy, loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { forEachLimit, ingestEndpoints } from '../src/usecases/ingest';
import { createSimulator } from '../src/carriers/simulator/simulator';
import { startTemporal, say } from '../scripts/lib/stack';
import { Teardown, benchDatabase, benchSettings, startApi } from './lib';

const N = Number(process.env.BENCH_N ?? 10_000);
const CONCURRENCY = 64;
const TEMPORAL_PORT = Number(process.env.BENCH_TEMPORAL_PORT ?? 7433);
const TASK_QUEUE = 'bench-ingest';
/** unset: ingest into a 30-day quarantine (no test runs); carrier | simulated: through the capability tests to AVAILABLE */
const HARNESS = ((h) => {
  if (h !== 'none' && h !== 'carrier' && h !== 'simulated') throw new Error(`BENCH_HARNESS: carrier, simulated or none, not "${h}"`);
  return h === 'none' ? undefined : h;
})(process.env.BENCH_HARNESS ?? 'carrier');
const CARRIER = 'bench-carrier';

function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(status.match(new RegExp(`${k}:\\s+(\\d+) kB`))?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function main(): Promise<void> {
  const teardown = new Teardown();
  // the benchmarks' own cluster (bench/lib.ts: fsync on unless BENCH_FSYNC=off, labelled)
  const { url: databaseUrl } = await benchDatabase('endpoint_inventory_bench_harness', teardown);
  const server = await startTemporal({ port: TEMPORAL_PORT, uiPort: null });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${TEMPORAL_PORT}`,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    LOG_LEVEL: 'warn',
    ...(HARNESS ? { QUARANTINE_NEW: '1s', HARNESS, HARNESS_CARRIER: CARRIER, WORKER_START_MONITOR: 'false', DATABASE_POOL_SIZE: '20' } : {}),
  };
  const config = loadConfig(env);
  if (HARNESS === 'carrier') {
    // the carrier network: the simulator's test-call API, delivering to the API's inbound entry
    const { url } = await startApi(env, teardown);
    const sim = createSimulator({
      carriers: [{ id: CARRIER, secret: 'bench-carrier-secret-0123', testDelayMs: 20 }],
      webhookBase: `${url}/v1/carriers`,
      trafficUrl: `${url}/v1/traffic`,
      seed: 18,
    });
    const simServer = sim.app.listen(0, '127.0.0.1');
    await new Promise((r) => simServer.once('listening', r));
    const simPort = (simServer.address() as { port: number }).port;
    teardown.add('simulator', () => {
      sim.close();
      simServer.closeAllConnections();
      simServer.close();
    });
    const setup = createDb(databaseUrl, 2);
    await setup.provider.create({
      data: {
        id: CARRIER,
        name: CARRIER,
        kind: 'API',
        apiBaseUrl: `http://127.0.0.1:${simPort}/carriers/${CARRIER}`,
        webhookSecret: 'bench-carrier-secret-0123',
      },
    });
    await setup.$disconnect();
  }
  const worker = fork(join(__dirname, 'worker.ts'), [], { env, execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
  });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(worker.pid!).rss);
  }, 100);

  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection });
  const db = createDb(databaseUrl, 16);
  try {
    // warm-up, untimed: the worker's first workflow tasks create its V8 contexts
    await forEachLimit(
      Array.from({ length: 200 }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        await client.workflow.start('idleWorkflow', { taskQueue: TASK_QUEUE, workflowId: `warmup/${i}` });
      },
    );
    const afterWarmup = rssOf(worker.pid!).rss;

    say(`baseline: starting ${N} empty workflows`);
    let t = performance.now();
    await forEachLimit(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        await client.workflow.start('idleWorkflow', { taskQueue: TASK_QUEUE, workflowId: `idle/${i}` });
      },
    );
    const emptyStarted = performance.now() - t;

    say(`ingest: ${N} numbers into quarantine (rows + workflows)${HARNESS ? `, then through their capability tests (HARNESS=${HARNESS}) to AVAILABLE` : ''}`);
    const addresses = Array.from({ length: N }, (_, i) => ({ address: `+1415${String(2_000_000 + i * 7)}`, capable: { voice: true, sms: true } }));
    let last = 0;
    t = performance.now();
    const res = await ingestEndpoints({ db, client, taskQueue: TASK_QUEUE, policy: lifecyclePolicy(config) }, addresses, {
      entry: 'quarantine',
      actor: 'bench',
      concurrency: CONCURRENCY,
      onProgress: (done, total) => {
        if (done - last >= total / 10) {
          last = done;
          say(`  ${done}/${total} workflows started`);
        }
      },
    });
    if (res.accepted.length !== N) throw new Error(`ingested ${res.accepted.length} of ${N}: ${JSON.stringify(res.rejected.slice(0, 3))}`);
    let tested = 0;
    if (HARNESS) {
      // every number through quarantine and its four tests (routing, inbound and outbound call, SMS)
      for (let said = 0; tested < N; await new Promise((r) => setTimeout(r, 250))) {
        tested = await db.endpoint.count({ where: { state: { in: ['AVAILABLE', 'REJECTED'] } } });
        if (tested - said >= N / 10) say(`  ${(said = tested)}/${N} tested`);
        if (performance.now() - t > 30 * 60_000) throw new Error(`only ${tested} of ${N} tested after 30 minutes`);
      }
    }
    const ingestStarted = performance.now() - t;
    const rows = await db.endpoint.count({ where: { state: HARNESS ? 'AVAILABLE' : 'QUARANTINE' } });
    const probes = HARNESS ? await db.capabilityProbe.count({ where: { arrivedAt: { not: null } } }) : 0;
    // visibility is eventually consistent: give it a moment to count them all
    let open = 0;
    for (let i = 0; i < 100 && open < N; i++) {
      open = (await client.workflow.count(`WorkflowType = "endpointWorkflow" AND ExecutionStatus = "Running"`)).count;
      if (open < N) await new Promise((r) => setTimeout(r, 100));
    }

    clearInterval(sampler);
    // let the worker finish the workflow tasks still queued, then read its memory
    await new Promise((r) => setTimeout(r, 5000));
    const { hwm, rss } = rssOf(worker.pid!);
    const result = {
      date: new Date().toISOString(),
      command: `BENCH_HARNESS=${HARNESS ?? 'none'} npm run bench:ingest-harness`,
      settings: benchSettings(),
      n: N,
      machine: '2 cores',
      emptyWorkflows: { ms: Math.round(emptyStarted), perSecond: Math.round(N / (emptyStarted / 1000)) },
      ingest: HARNESS
        ? {
            ms: Math.round(ingestStarted),
            perSecond: Math.round(N / (ingestStarted / 1000)),
            what: 'ingested, 1 s quarantine, four capability tests each as real test traffic, until every number is AVAILABLE',
            available: rows,
            testArrivals: probes,
            openEndpointWorkflows: open,
          }
        : { ms: Math.round(ingestStarted), perSecond: Math.round(N / (ingestStarted / 1000)), rowsInQuarantine: rows, openEndpointWorkflows: open },
      ratio: +(ingestStarted / emptyStarted).toFixed(2),
      worker: {
        peakRssMiB: Math.round(Math.max(peak, hwm) / 2 ** 20),
        rssAfterWarmupMiB: Math.round(afterWarmup / 2 ** 20),
        rssWithAllOpenMiB: Math.round(rss / 2 ** 20),
      },
      goal: 'ratio <= 2, worker memory <= 1 GiB',
    };
    console.log(JSON.stringify(result, null, 2));
    writeFileSync(
      join(__dirname, 'results', `ingest-${N}${HARNESS ? `-tested-${HARNESS}` : ''}${benchSettings().fsync === 'off' ? '-fsync-off' : ''}.json`),
      JSON.stringify(result, null, 2) + '\n',
    );
  } finally {
    clearInterval(sampler);
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
    await teardown.run();
    await connection.close();
    await db.$disconnect();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
