// Benchmark: the call router's lookup, GET /v1/routes/{address}, over 100,000
// ALLOCATED endpoints, at an open-loop fixed rate (500 requests/s for 30 s)
// with an operator key; each request's latency runs from the moment it was
// due, so a stall counts against every request it delays. Baseline in the same
// run at the same rate, interleaved with it in three blocks each: GET /health
// (the API process, its HTTP stack and this load generator, without the key
// check and the read).
//
//   node --import tsx bench/routing.bench.ts    (BENCH_ROUTES=100000, BENCH_RATE=500, BENCH_SECONDS=30)
//
// Own PostgreSQL cluster (bench/lib.ts: `bench` :55532 or EI_BENCH_PG_CLUSTER /
// EI_BENCH_PG_PORT; fsync on unless BENCH_FSYNC=off) and Temporal dev server (:7535, which
// the API connects to as it would in production; the lookup does not use it).
import { Agent } from 'node:http';
import { Pool } from 'pg';
import { createApiKey } from '../src/usecases/keys';
import { createDb } from '../src/db/client';
import { say } from '../scripts/lib/stack';
import {
  CpuMeter,
  benchDatabase,
  benchSettings,
  benchTemporal,
  countBy,
  envNumber,
  httpRequest,
  latency,
  machine,
  openLoop,
  postmasterPid,
  printTable,
  prng,
  runBench,
  startApi,
  sumCpu,
  writeResult,
} from './lib';

const ROUTES = envNumber('BENCH_ROUTES', 100_000);
const RATE = envNumber('BENCH_RATE', 500);
const SECONDS = envNumber('BENCH_SECONDS', 30);
const WARMUP_SECONDS = 5;
const BLOCKS = 3;
const TEMPORAL_PORT = envNumber('BENCH_TEMPORAL_PORT', 7535);
const ACCOUNTS = 50;
const GOAL = { p99AtMostMs: 10 };

runBench(async (teardown) => {
  const startedOn = machine();
  const { pg, url } = await benchDatabase('endpoint_inventory_routebench', teardown);
  const { address: temporalAddress, pid: temporalPid } = await benchTemporal(TEMPORAL_PORT, teardown);
  const db = createDb(url, 2);
  teardown.add('Prisma', () => db.$disconnect());
  const pool = new Pool({ connectionString: url, max: 2 });
  teardown.add('pg pool', () => pool.end());

  say(`inserting ${ROUTES} ALLOCATED endpoints over ${ACCOUNTS} accounts`);
  const t = performance.now();
  await pool.query(`INSERT INTO accounts (id, name) SELECT 'acct-' || a, 'account ' || a FROM generate_series(1, ${ACCOUNTS}) a`);
  // distinct numbers from +1 201 555 0000 on, 37 apart (they all parse as NANP numbers, as the route requires)
  await pool.query(`
    INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, state, account_id, application_uri, voice_enabled, sms_enabled,
                           classifier_tags)
    SELECT '+1' || d, 'FIXED_LINE_OR_MOBILE', 'US', substr(d, 1, 3), substr(d, 4, 3), substr(d, 7), d, 'ALLOCATED',
           'acct-' || (1 + i % ${ACCOUNTS}), 'https://app' || (1 + i % ${ACCOUNTS}) || '.example/voice/' || i, true, true,
           ARRAY['cap:sms', 'cap:voice', 'country:us', 'npa:' || substr(d, 1, 3)]
      FROM (SELECT i, (2015550000 + i * 37)::text AS d FROM generate_series(0, ${ROUTES - 1}) i) s`);
  await pool.query('VACUUM ANALYZE endpoints');
  const insertMs = performance.now() - t;
  const addresses = (await pool.query<{ address: string; account_id: string }>('SELECT address, account_id FROM endpoints')).rows;
  say(`  done in ${Math.round(insertMs / 1000)} s`);

  const { url: apiUrl, api } = await startApi(
    { ...process.env, NODE_ENV: 'production', DATABASE_URL: url, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: 'bench-routing' },
    teardown,
  );
  const { key } = await createApiKey(db, { name: 'bench routing', scope: 'OPERATOR' });
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const headers = { authorization: `Bearer ${key}` };

  const random = prng(500);
  const pick = () => addresses[Math.floor(random() * addresses.length)]!;
  let wrong = 0;
  const wrongExamples: string[] = [];
  const lookup = async (): Promise<string> => {
    const { address, account_id } = pick();
    const res = await httpRequest(agent, 'GET', `${apiUrl}/v1/routes/${encodeURIComponent(address)}`, { headers });
    if (res.status === 200 && (JSON.parse(res.body) as { accountId?: string }).accountId !== account_id) {
      wrong++;
      if (wrongExamples.length < 5) wrongExamples.push(`${address}: ${res.body.slice(0, 200)}`);
    }
    return String(res.status);
  };
  const health = async (): Promise<string> => String((await httpRequest(agent, 'GET', `${apiUrl}/health`)).status);

  say(`warm-up (untimed): ${WARMUP_SECONDS} s of each at ${RATE}/s`);
  await openLoop(RATE, WARMUP_SECONDS, health);
  await openLoop(RATE, WARMUP_SECONDS, lookup);

  const meter = new CpuMeter({ api: { pid: api.pid }, temporal: { pid: temporalPid }, postgres: { pid: postmasterPid(pg), tree: true } });
  // the two interleaved in blocks, so whatever else the machine does meanwhile falls on both alike
  type Block = Awaited<ReturnType<typeof openLoop>>;
  const runs: Record<'health' | 'routes', { blocks: Block[]; cpuSeconds: Record<string, number> }> = {
    health: { blocks: [], cpuSeconds: {} },
    routes: { blocks: [], cpuSeconds: {} },
  };
  for (let b = 1; b <= BLOCKS; b++) {
    for (const [name, op] of [
      ['health', health],
      ['routes', lookup],
    ] as const) {
      say(`block ${b}/${BLOCKS}: ${name === 'health' ? 'GET /health' : 'GET /v1/routes/{address}'} at ${RATE}/s for ${SECONDS / BLOCKS} s`);
      const { result, cpuSeconds } = await meter.measure(() => openLoop(RATE, SECONDS / BLOCKS, op));
      runs[name].blocks.push(result);
      runs[name].cpuSeconds = sumCpu(runs[name].cpuSeconds, cpuSeconds);
    }
  }

  const figures = ({ blocks, cpuSeconds }: { blocks: Block[]; cpuSeconds: Record<string, number> }) => {
    const samples = blocks.flatMap((b) => b.samples);
    const ok = samples.filter((s) => s.outcome === '200');
    return {
      sent: blocks.reduce((n, b) => n + b.sent, 0),
      answered200: ok.length,
      statuses: countBy(samples, (s) => s.outcome),
      achievedPerSecond: Math.round((ok.length / blocks.reduce((ms, b) => ms + b.wallMs, 0)) * 1000),
      latencyMs: latency(samples.map((s) => s.ms)),
      generatorMaxSendLagMs: Math.round(Math.max(...blocks.map((b) => b.maxSendLagMs)) * 100) / 100,
      cpuSeconds,
    };
  };
  const h = figures(runs.health);
  const r = figures(runs.routes);

  console.log();
  printTable(
    ['run', 'sent', '200', 'achieved/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
    [
      ['GET /health', h.sent, h.answered200, h.achievedPerSecond, h.latencyMs.p50, h.latencyMs.p90, h.latencyMs.p99, h.latencyMs.p999, h.latencyMs.max],
      [
        'GET /v1/routes/{address}',
        r.sent,
        r.answered200,
        r.achievedPerSecond,
        r.latencyMs.p50,
        r.latencyMs.p90,
        r.latencyMs.p99,
        r.latencyMs.p999,
        r.latencyMs.max,
      ],
    ],
  );
  const ratio = { p50: +(r.latencyMs.p50 / h.latencyMs.p50).toFixed(2), p99: +(r.latencyMs.p99 / h.latencyMs.p99).toFixed(2) };
  console.log(
    `\nroutes / health: p50 ×${ratio.p50}, p99 ×${ratio.p99}; routes p99 ${r.latencyMs.p99} ms (goal <= ${GOAL.p99AtMostMs}); wrong answers ${wrong}`,
  );
  console.log(`CPU seconds over each (all blocks): health ${JSON.stringify(h.cpuSeconds)}; routes ${JSON.stringify(r.cpuSeconds)}`);

  const result = {
    bench: 'routing',
    date: new Date().toISOString(),
    command: `${ROUTES === 100_000 ? '' : `BENCH_ROUTES=${ROUTES} `}${RATE === 500 ? '' : `BENCH_RATE=${RATE} `}${SECONDS === 30 ? '' : `BENCH_SECONDS=${SECONDS} `}node --import tsx bench/routing.bench.ts`,
    machine: startedOn,
    parameters: {
      allocatedEndpoints: ROUTES,
      accounts: ACCOUNTS,
      ratePerSecond: RATE,
      seconds: SECONDS,
      interleavedBlocks: BLOCKS,
      warmupSeconds: WARMUP_SECONDS,
      key: 'OPERATOR',
      ...benchSettings(),
    },
    health: h,
    routing: { ...r, wrongAnswers: wrong, wrongExamples },
    ratioRoutingToHealth: ratio,
    goal: GOAL,
    met: { p99: r.latencyMs.p99 <= GOAL.p99AtMostMs && r.answered200 === r.sent && wrong === 0 },
  };
  say(`wrote ${writeResult('routing', result)}`);
});
