// Benchmark: allocation by criteria over HTTP (POST /v1/allocations, 32
// concurrent clients) until the shelf of N AVAILABLE endpoints — each with its
// running lifecycle workflow — is empty. Against two baselines in the same run
// at the same concurrency: a bare Temporal update (a handler that does
// nothing) and the bare SQL claim the route runs first, taking the row off the
// shelf in the same statement (on a copy of the rows, so it does not take the
// HTTP run's shelf). Then: was any endpoint allocated
// twice? To show where an allocation's cost lies, also an update that only
// upserts the EndpointState search attribute, one that runs one activity (a
// transaction that finds no row) as an activity and as a local activity, one
// that does both (what any endpoint transition costs in Temporal and the
// worker at least), and each part's CPU seconds per 1000 operations. With
// BENCH_OTHER_ENDPOINTS, also a claim on criteria most of the table matches,
// against the claim as it was before the best-first window.
//
//   node --import tsx bench/allocation.bench.ts       (BENCH_N=2000 endpoints on the shelf;
//                                                      BENCH_OTHER_ENDPOINTS=1000000 rows around it, no workflows;
//                                                      BENCH_CPU_PROF=<dir>: CPU profiles of the worker and the API)
//
// Every case runs on the Temporal dev server (:7533, BENCH_TEMPORAL_PORT) and
// then on the full Temporal server v1.29.1 on PostgreSQL
// (EI_BENCH_FULL_TEMPORAL_PORT, 7640), reported in one table with the full
// server's rate against the dev server's (BENCH_SERVERS=dev or full: one only).
// Own PostgreSQL cluster (bench/lib.ts: fsync on unless BENCH_FSYNC=off); the
// worker and the API each run as a child process.
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { createApiKey } from '../src/usecases/keys';
import { CLAIM_WINDOW, claim as claimCandidate } from '../src/db/endpoints';
import { lifecyclePolicy, loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { ingestEndpoints } from '../src/usecases/ingest';
import { say } from '../scripts/lib/stack';
import {
  BENCH_FSYNC,
  CpuMeter,
  Teardown,
  benchDatabase,
  benchFullTemporal,
  benchSettings,
  benchTemporal,
  closedLoop,
  countBy,
  envNumber,
  forkWorker,
  httpRequest,
  latency,
  machine,
  postmasterPid,
  printTable,
  runBench,
  startApi,
  times,
  untilStopped,
  writeResult,
  type Run,
} from './lib';
import {
  localActivityUpsertUpdate,
  noopUpdate,
  noopWorkflowId,
  oneActivityWorkflowId,
  upsertUpdate,
  viaActivityUpdate,
  viaLocalActivityUpdate,
} from './shared';

const N = envNumber('BENCH_N', 2000);
/** rows around the shelf, without workflows, so the table is the size of a real inventory's (0: the shelf alone) */
const OTHERS = process.env.BENCH_OTHER_ENDPOINTS ? envNumber('BENCH_OTHER_ENDPOINTS', 0) : 0;
const CLIENTS = 32;
const TEMPORAL_PORT = envNumber('BENCH_TEMPORAL_PORT', 7533);
const TASK_QUEUE = 'bench-allocation';
/** each case runs on these, one after the other: the Temporal CLI's dev server and the full server on PostgreSQL */
const SERVERS = (process.env.BENCH_SERVERS ?? 'dev,full').split(',').map((s) => s.trim());
const ACCOUNT = 'acct-bench';
/** the HTTP run's shelf; the SQL baseline's copy; the untimed warm-up's */
const NPA = '425';
const COPY_NPA = '426';
const WARMUP_NPA = '253';
const WARMUP = 2 * CLIENTS;
const GOAL = { ratioAtLeast: 0.5, p99AtMostMs: 250, doubleAllocations: 0 };

// The allocation's claim (src/db/endpoints.ts claim) as it runs
// for criteria with an area code when the first window has a free row: the
// best CLAIM_WINDOW matches through the tags index (top-N sorted), then the
// first of them nobody holds.
const CLAIM_SQL = `
  WITH candidates AS MATERIALIZED (
    SELECT id FROM endpoints
     WHERE state = 'AVAILABLE' AND classifier_tags @> $1::text[]
       AND (claimed_until IS NULL OR claimed_until < now())
     ORDER BY quality_score + 0 DESC NULLS LAST, address
     LIMIT ${CLAIM_WINDOW})
  UPDATE endpoints SET claimed_until = now() + make_interval(secs => 30), claim_token = $2::uuid
   WHERE id = (
     SELECT id FROM endpoints
      WHERE id = ANY (ARRAY(SELECT id FROM candidates))
        AND state = 'AVAILABLE' AND (claimed_until IS NULL OR claimed_until < now())
      ORDER BY quality_score + 0 DESC NULLS LAST, address
      LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING id::text, address`;
// The SQL baseline: that claim taking the row off the shelf in the same
// statement (on the copy, where no workflow follows up: claimed rows left
// AVAILABLE would pile up in every later claim's way).
const BASELINE_CLAIM_SQL = CLAIM_SQL.replace('SET claimed_until', "SET state = 'ALLOCATED', account_id = $3, claimed_until");
// The claim before the window and the best-first index (migration
// 20261127060000): every match sorted, then locked in order. With
// BENCH_OTHER_ENDPOINTS it runs (with that index dropped, in a transaction
// rolled back) against the route's claim on criteria most of the table matches.
const UNBOUNDED_CLAIM_SQL = `
  UPDATE endpoints SET claimed_until = now() + make_interval(secs => 30), claim_token = $2::uuid
   WHERE id = (
     SELECT id FROM endpoints
      WHERE state = 'AVAILABLE' AND classifier_tags @> $1::text[]
        AND (claimed_until IS NULL OR claimed_until < now())
      ORDER BY quality_score DESC NULLS LAST, address
      LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING id::text, address`;

const rate = (ops: number, ms: number) => Math.round(ops / (ms / 1000));

async function onServer(server: 'dev' | 'full', outer: Teardown): Promise<Record<string, unknown> & { server: string }> {
  const teardown = new Teardown();
  try {
    return await allocationOn(server, outer, teardown);
  } finally {
    await teardown.run();
  }
}

async function allocationOn(server: 'dev' | 'full', outer: Teardown, teardown: Teardown): Promise<Record<string, unknown> & { server: string }> {
  say(`---- ${server === 'dev' ? 'the Temporal dev server' : 'the full Temporal server'}`);
  const { pg, url } = await benchDatabase(`endpoint_inventory_allocbench_${server}`, outer);
  const {
    address: temporalAddress,
    pid: temporalPid,
    label: temporalLabel,
  } = server === 'dev'
    ? { ...(await benchTemporal(TEMPORAL_PORT, teardown)), label: `dev server (CLI v1.5.1, in memory) :${TEMPORAL_PORT}` }
    : await (async () => {
        const full = await benchFullTemporal(pg, 'allocbench', teardown);
        return { ...full, label: `full server v1.29.1 on PostgreSQL, ${full.shards} history shards, ${full.address}` };
      })();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    LOG_LEVEL: 'warn',
    // through quarantine and the tests in seconds: the shelf fills by configuration
    QUARANTINE_NEW: process.env.QUARANTINE_NEW ?? '1s',
    QUARANTINE_AGING: process.env.QUARANTINE_AGING ?? '1s',
    // the simulator's test traffic inside the worker: with the default (carrier) and no HARNESS_CARRIER every number failed its tests, REJECTED
    HARNESS: process.env.HARNESS ?? 'simulated',
    WORKER_MAX_CONCURRENT_ACTIVITIES: process.env.WORKER_MAX_CONCURRENT_ACTIVITIES ?? '200',
    // every open workflow stays in the worker's cache (the default, 2000, would evict some at BENCH_N=2000)
    WORKER_MAX_CACHED_WORKFLOWS: process.env.WORKER_MAX_CACHED_WORKFLOWS ?? String(Math.max(2000, N + WARMUP + CLIENTS + 100)),
    WORKER_START_MONITOR: 'false',
  };
  const config = loadConfig(env);
  const worker = await forkWorker(env, teardown);
  const { url: apiUrl, api } = await startApi(env, teardown);

  const db = createDb(url, 8);
  teardown.add('Prisma', () => db.$disconnect());
  const connection = await Connection.connect({ address: temporalAddress });
  teardown.add('Temporal client', () => connection.close());
  const client = new Client({ connection });
  const pool = new Pool({ connectionString: url, max: CLIENTS });
  teardown.add('pg pool', () => pool.end());

  await db.account.create({ data: { id: ACCOUNT, name: 'bench' } });
  const { key } = await createApiKey(db, { name: 'bench allocation', scope: 'PLATFORM', accountIds: [ACCOUNT] });

  if (OTHERS) {
    // elsewhere (area codes 600-999), in the evaluation benchmark's mix of states: 60 % AVAILABLE, the rest held or in quarantine
    say(`inserting ${OTHERS} other endpoints (no workflows) around the shelf`);
    const started = performance.now();
    await pool.query(`
      INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, state, account_id, sms_enabled, quality_score, classifier_tags)
      SELECT '+1' || d, 'FIXED_LINE_OR_MOBILE', 'US', substr(d, 1, 3), substr(d, 4, 3), substr(d, 7), d, st::"EndpointState",
             CASE WHEN st = 'ALLOCATED' THEN '${ACCOUNT}' END, true, 0.9,
             ARRAY['cap:sms', 'country:us', 'kind:fixed_line_or_mobile', 'npa:' || substr(d, 1, 3), 'nxx:' || substr(d, 1, 6)]
        FROM (SELECT (6000000000 + i::bigint * 3999)::text AS d,
                     CASE WHEN i % 20 < 12 THEN 'AVAILABLE' WHEN i % 20 < 17 THEN 'ALLOCATED' ELSE 'QUARANTINE' END AS st
                FROM generate_series(0, ${OTHERS - 1}) i) s`);
    await pool.query('VACUUM ANALYZE endpoints');
    say(`  done in ${Math.round((performance.now() - started) / 1000)} s`);
  }

  // ---------------------------------------------------------------- the shelf
  say(`ingesting ${N} SMS numbers in ${NPA} (+${WARMUP} in ${WARMUP_NPA} for the warm-up) into quarantine`);
  const t = performance.now();
  const numbers = (npa: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ address: `+1${npa}${String(2_000_000 + i * 13)}`, capable: { sms: true } }));
  const ingested = await ingestEndpoints(
    { db, client, taskQueue: TASK_QUEUE, policy: lifecyclePolicy(config) },
    [...numbers(NPA, N), ...numbers(WARMUP_NPA, WARMUP)],
    { entry: 'quarantine', actor: 'bench', concurrency: 64 },
  );
  if (ingested.accepted.length !== N + WARMUP)
    throw new Error(`ingested ${ingested.accepted.length} of ${N + WARMUP}: ${JSON.stringify(ingested.rejected.slice(0, 3))}`);
  say(`  ${N + WARMUP} rows and workflows in ${Math.round(performance.now() - t)} ms; waiting for quarantine and the tests`);
  const available = async () =>
    Number(
      (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM endpoints WHERE state = 'AVAILABLE' AND npa IN ('${NPA}', '${WARMUP_NPA}')`)).rows[0]?.n ?? 0,
    );
  let shown = 0;
  for (const deadline = Date.now() + 15 * 60_000; ;) {
    const n = await available();
    if (n === N + WARMUP) break;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${N + WARMUP} endpoints AVAILABLE after 15 minutes`);
    if (n - shown >= (N + WARMUP) / 5) say(`  ${(shown = n)}/${N + WARMUP} AVAILABLE`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const shelfMs = performance.now() - t;
  say(`  all AVAILABLE ${Math.round(shelfMs / 1000)} s after the ingest started`);

  // the SQL baseline's own copy: the same rows under another area code, no workflows
  await pool.query(`
    INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, voice_capable, sms_capable, mms_capable, fax_capable,
                           voice_enabled, sms_enabled, mms_enabled, fax_enabled, state, version, monthly_cost_cents,
                           voice_cleanliness, messaging_cleanliness, quality_score, classifier_tags)
    SELECT '+1${COPY_NPA}' || substr(address, 6), kind, country, '${COPY_NPA}', nxx, line, '${COPY_NPA}' || substr(digits, 4),
           voice_capable, sms_capable, mms_capable, fax_capable, voice_enabled, sms_enabled, mms_enabled, fax_enabled,
           state, version, monthly_cost_cents, voice_cleanliness, messaging_cleanliness, quality_score,
           ARRAY(SELECT regexp_replace(tag, '^(npa|nxx):${NPA}', '\\1:${COPY_NPA}') FROM unnest(classifier_tags) tag ORDER BY 1)
      FROM endpoints WHERE npa = '${NPA}' AND state = 'AVAILABLE'`);
  await pool.query('ANALYZE endpoints');
  const tags = (npa: string) => ['cap:sms', `npa:${npa}`];

  // ---------------------------------------------------------------- the runs
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const headers = { authorization: `Bearer ${key}` };
  const won: string[] = [];
  const unexpected: string[] = [];
  let unexpectedCount = 0;
  const allocate = async (npa: string, record: boolean): Promise<string> => {
    const res = await httpRequest(agent, 'POST', `${apiUrl}/v1/allocations`, {
      headers,
      body: JSON.stringify({ accountId: ACCOUNT, criteria: { npa, capabilities: ['sms'] } }),
    });
    if (res.status === 201) {
      if (record) won.push((JSON.parse(res.body) as { address: string }).address);
      return '201';
    }
    const code = (JSON.parse(res.body) as { code?: string }).code;
    if (res.status === 409 && code === 'none_available') return 'stop';
    // anything else is reported; a flood of it ends the run rather than spinning
    if (++unexpectedCount > 10 * CLIENTS) return 'stop';
    if (unexpected.length < 10) unexpected.push(`${res.status} ${res.body.slice(0, 300)}`);
    return String(res.status);
  };
  const claim = async (npa: string): Promise<string> => {
    const { rows } = await pool.query(BASELINE_CLAIM_SQL, [tags(npa), randomUUID(), ACCOUNT]);
    return rows.length ? 'claimed' : 'stop';
  };
  const noopHandles = Array.from({ length: CLIENTS }, (_, i) => client.workflow.getHandle(noopWorkflowId(i)));
  const oneActivityHandles = Array.from({ length: CLIENTS }, (_, i) => client.workflow.getHandle(oneActivityWorkflowId(i)));
  // one workflow per client, as each allocation goes to a workflow of its own
  const bareUpdates = (total: number): Promise<Run> =>
    closedLoop(CLIENTS, times(total), async (n, c) => {
      await noopHandles[c]!.executeUpdate(noopUpdate, { args: [n] });
      return 'ok';
    });
  const upsertUpdates = (total: number): Promise<Run> =>
    closedLoop(CLIENTS, times(total), async (n, c) => {
      await noopHandles[c]!.executeUpdate(upsertUpdate, { args: [n] });
      return 'ok';
    });
  const activityUpdates = (total: number, local: boolean | 'upsert'): Promise<Run> =>
    closedLoop(CLIENTS, times(total), async (n, c) => {
      await oneActivityHandles[c]!.executeUpdate(local === 'upsert' ? localActivityUpsertUpdate : local ? viaLocalActivityUpdate : viaActivityUpdate, {
        args: [n],
      });
      return 'ok';
    });

  say(`warm-up (untimed): ${CLIENTS} no-op workflows, updates, claims, ${WARMUP} allocations`);
  for (let i = 0; i < CLIENTS; i++) {
    await client.workflow.start('noopWorkflow', { taskQueue: TASK_QUEUE, workflowId: noopWorkflowId(i), workflowIdConflictPolicy: 'USE_EXISTING' });
    await client.workflow.start('oneActivityWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: oneActivityWorkflowId(i),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }
  await bareUpdates(10 * CLIENTS);
  await upsertUpdates(4 * CLIENTS);
  await activityUpdates(4 * CLIENTS, false);
  await activityUpdates(4 * CLIENTS, true);
  await activityUpdates(4 * CLIENTS, 'upsert');
  await closedLoop(CLIENTS, times(4 * CLIENTS), () => claim(COPY_NPA));
  await pool.query(`UPDATE endpoints SET state = 'AVAILABLE', account_id = NULL, claimed_until = NULL, claim_token = NULL WHERE npa = '${COPY_NPA}'`);
  const warm = await closedLoop(CLIENTS, untilStopped(), () => allocate(WARMUP_NPA, false));
  const warmAllocated = warm.samples.filter((s) => s.outcome === '201').length;
  if (warmAllocated !== WARMUP)
    throw new Error(`warm-up allocated ${warmAllocated} of ${WARMUP}: ${JSON.stringify(countBy(warm.samples, (s) => s.outcome))} ${unexpected.join(' | ')}`);

  const meter = new CpuMeter({
    api: { pid: api.pid },
    worker: { pid: worker.pid! },
    temporal: { pid: temporalPid },
    postgres: { pid: postmasterPid(pg), tree: true },
  });

  say(`bare Temporal update: ${N} no-op updates, ${CLIENTS} clients`);
  const updatesBefore = await meter.measure(() => bareUpdates(N));
  say(`update upserting the EndpointState search attribute: ${N}, ${CLIENTS} clients`);
  const viaUpsert = await meter.measure(() => upsertUpdates(N));
  say(`update running one activity: ${N}, ${CLIENTS} clients; then the same with a local activity`);
  const viaActivity = await meter.measure(() => activityUpdates(N, false));
  const viaLocal = await meter.measure(() => activityUpdates(N, true));
  say(`update running one local activity and upserting the search attribute (a transition's floor): ${N}, ${CLIENTS} clients`);
  const viaFloor = await meter.measure(() => activityUpdates(N, 'upsert'));
  say(`bare SQL claim (taking the row off the shelf): ${N} claims, ${CLIENTS} connections`);
  const claims = await meter.measure(() => closedLoop(CLIENTS, untilStopped(), () => claim(COPY_NPA)));
  say(`allocation by criteria over HTTP: ${CLIENTS} clients until the shelf of ${N} is empty`);
  const http = await meter.measure(() => closedLoop(CLIENTS, untilStopped(), () => allocate(NPA, true)));
  say(`bare Temporal update again (drift check)`);
  const updatesAfter = await meter.measure(() => bareUpdates(N));

  // criteria most of a large table matches (cap:sms: every other endpoint), one claim at a time
  const broad = OTHERS
    ? await (async () => {
        const time = async (n: number, claimOne: () => Promise<boolean>) => {
          const ms: number[] = [];
          for (let i = 0; i < n; i++) {
            const t0 = performance.now();
            if (!(await claimOne())) throw new Error('broad claim found nothing');
            ms.push(performance.now() - t0);
          }
          return latency(ms);
        };
        say(`broad criteria (cap:sms) over ${OTHERS} other endpoints: the claim before the window and index, then the route's`);
        const conn = await pool.connect();
        let before: ReturnType<typeof latency>;
        try {
          await conn.query('BEGIN');
          await conn.query('DROP INDEX endpoints_available_best_idx');
          before = await time(20, async () => (await conn.query(UNBOUNDED_CLAIM_SQL, [['cap:sms'], randomUUID()])).rows.length > 0);
        } finally {
          await conn.query('ROLLBACK');
          conn.release();
        }
        const windowed = await time(500, async () => (await claimCandidate(db, { tags: ['cap:sms'], token: randomUUID(), resumable: false })) !== undefined);
        await pool.query(`UPDATE endpoints SET claimed_until = NULL, claim_token = NULL WHERE claimed_until IS NOT NULL`);
        return { criteria: ['cap:sms'], unboundedClaimMs: before, windowedClaimMs: windowed, ratioOfMeans: +(before.mean / windowed.mean).toFixed(1) };
      })()
    : undefined;

  // ---------------------------------------------------------------- figures
  const ok = (r: Run, outcome: string) => r.samples.filter((s) => s.outcome === outcome);
  const summary = (r: Run, outcome: string) => {
    const done = ok(r, outcome);
    const until = Math.max(...done.map((s) => s.at));
    return { ops: done.length, wallMs: Math.round(until), opsPerSecond: rate(done.length, until), latencyMs: latency(done.map((s) => s.ms)) };
  };
  const before = summary(updatesBefore.result, 'ok');
  const after = summary(updatesAfter.result, 'ok');
  const bareRate = (before.opsPerSecond + after.opsPerSecond) / 2;
  const ups = summary(viaUpsert.result, 'ok');
  const act = summary(viaActivity.result, 'ok');
  const loc = summary(viaLocal.result, 'ok');
  const floor = summary(viaFloor.result, 'ok');
  const sql = summary(claims.result, 'claimed');
  const alloc = summary(http.result, '201');
  const statuses = countBy(http.result.samples, (s) => (s.outcome === 'stop' ? '409 none_available' : s.outcome));
  const stops = http.result.samples.filter((s) => s.outcome === 'stop');

  // double allocations: in the answers, in the rows, in the history
  const distinct = new Set(won).size;
  const rows = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM endpoints WHERE npa = $1 AND state = 'ALLOCATED' AND account_id = $2`, [
    NPA,
    ACCOUNT,
  ]);
  const history = await pool.query<{ address: string; n: string }>(
    `
    SELECT e.address, count(h.id) AS n FROM endpoints e
      LEFT JOIN endpoint_history h ON h.endpoint_id = e.id AND h.to_state = 'ALLOCATED'
     WHERE e.npa = $1 GROUP BY e.address HAVING count(h.id) <> 1`,
    [NPA],
  );
  const doubles = {
    answers201: won.length,
    distinctAddresses: distinct,
    allocatedRows: Number(rows.rows[0]?.n ?? 0),
    endpointsWithoutExactlyOneAllocatedHistoryRow: history.rows.length,
    examples: history.rows.slice(0, 5),
    doubleAllocations: won.length - distinct + history.rows.filter((r) => Number(r.n) > 1).length,
  };
  const ratio = +(alloc.opsPerSecond / bareRate).toFixed(3);

  console.log();
  printTable(
    ['run', 'ops', 'ops/s', 'p50 ms', 'p99 ms', 'max ms'],
    [
      ['bare Temporal update (before)', before.ops, before.opsPerSecond, before.latencyMs.p50, before.latencyMs.p99, before.latencyMs.max],
      ['bare Temporal update (after)', after.ops, after.opsPerSecond, after.latencyMs.p50, after.latencyMs.p99, after.latencyMs.max],
      ['update + search-attribute upsert', ups.ops, ups.opsPerSecond, ups.latencyMs.p50, ups.latencyMs.p99, ups.latencyMs.max],
      ['update + 1 activity', act.ops, act.opsPerSecond, act.latencyMs.p50, act.latencyMs.p99, act.latencyMs.max],
      ['update + 1 local activity', loc.ops, loc.opsPerSecond, loc.latencyMs.p50, loc.latencyMs.p99, loc.latencyMs.max],
      ['update + local activity + upsert', floor.ops, floor.opsPerSecond, floor.latencyMs.p50, floor.latencyMs.p99, floor.latencyMs.max],
      ['bare SQL claim (+ off the shelf)', sql.ops, sql.opsPerSecond, sql.latencyMs.p50, sql.latencyMs.p99, sql.latencyMs.max],
      ['POST /v1/allocations (201)', alloc.ops, alloc.opsPerSecond, alloc.latencyMs.p50, alloc.latencyMs.p99, alloc.latencyMs.max],
    ],
  );
  if (broad)
    console.log(
      `\nbroad claim (cap:sms) over ${OTHERS} others: before (all matches sorted) p50 ${broad.unboundedClaimMs.p50} ms, mean ${broad.unboundedClaimMs.mean} ms; the route's (best-first walk) p50 ${broad.windowedClaimMs.p50} ms, mean ${broad.windowedClaimMs.mean} ms (${broad.ratioOfMeans}x)`,
    );
  console.log(`\nallocation rate / bare update rate = ${ratio} (goal >= ${GOAL.ratioAtLeast}); p99 ${alloc.latencyMs.p99} ms (goal <= ${GOAL.p99AtMostMs})`);
  console.log(`answers: ${JSON.stringify(statuses)}; double allocations: ${doubles.doubleAllocations}; ${JSON.stringify(doubles)}`);
  if (unexpected.length) console.log(`unexpected answers: ${unexpected.join(' | ')}`);
  const perK = (cpu: Record<string, number>, ops: number) => Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, +((v / ops) * 1000).toFixed(2)]));
  console.log(`CPU seconds per 1000 allocations: ${JSON.stringify(perK(http.cpuSeconds, alloc.ops))}`);
  console.log(`CPU seconds per 1000 bare updates: ${JSON.stringify(perK(updatesBefore.cpuSeconds, before.ops))}`);
  console.log(`CPU seconds per 1000 updates + search-attribute upsert: ${JSON.stringify(perK(viaUpsert.cpuSeconds, ups.ops))}`);
  console.log(`CPU seconds per 1000 updates + 1 activity: ${JSON.stringify(perK(viaActivity.cpuSeconds, act.ops))}`);
  console.log(`CPU seconds per 1000 updates + 1 local activity: ${JSON.stringify(perK(viaLocal.cpuSeconds, loc.ops))}`);
  console.log(`CPU seconds per 1000 updates + 1 local activity + upsert: ${JSON.stringify(perK(viaFloor.cpuSeconds, floor.ops))}`);
  console.log(`a transition's floor (update + local activity + upsert) / bare update rate = ${(floor.opsPerSecond / bareRate).toFixed(3)}`);

  const result = {
    server,
    bench: 'allocation',
    date: new Date().toISOString(),
    command: `${N === 2000 ? '' : `BENCH_N=${N} `}${OTHERS ? `BENCH_OTHER_ENDPOINTS=${OTHERS} ` : ''}node --import tsx bench/allocation.bench.ts`,
    machine: machine(),
    parameters: {
      endpoints: N,
      otherEndpointsInTheTable: OTHERS,
      clients: CLIENTS,
      criteria: { npa: NPA, capabilities: ['sms'] },
      temporal: temporalLabel,
      ...benchSettings(),
      worker: {
        WORKER_MAX_CONCURRENT_ACTIVITIES: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
        WORKER_MAX_CACHED_WORKFLOWS: config.WORKER_MAX_CACHED_WORKFLOWS,
        WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
        DATABASE_POOL_SIZE: config.DATABASE_POOL_SIZE,
      },
      api: { DATABASE_POOL_SIZE: config.DATABASE_POOL_SIZE, RATE_LIMIT_PER_MINUTE: 100_000_000 },
      shelfFilledInSeconds: Math.round(shelfMs / 1000),
    },
    bareTemporalUpdate: { before, after, meanOpsPerSecond: Math.round(bareRate), cpuSecondsPer1000: perK(updatesBefore.cpuSeconds, before.ops) },
    updateWithSearchAttributeUpsert: { ...ups, cpuSecondsPer1000: perK(viaUpsert.cpuSeconds, ups.ops) },
    updateWithOneActivity: { ...act, cpuSecondsPer1000: perK(viaActivity.cpuSeconds, act.ops) },
    updateWithOneLocalActivity: { ...loc, cpuSecondsPer1000: perK(viaLocal.cpuSeconds, loc.ops) },
    updateWithLocalActivityAndUpsert: {
      ...floor,
      ratioToBareUpdate: +(floor.opsPerSecond / bareRate).toFixed(3),
      cpuSecondsPer1000: perK(viaFloor.cpuSeconds, floor.ops),
    },
    bareSqlClaim: { ...sql, cpuSecondsPer1000: perK(claims.cpuSeconds, sql.ops) },
    allocation: {
      ...alloc,
      answers: statuses,
      noneAvailableLatencyMs: latency(stops.map((s) => s.ms)),
      unexpected,
      cpuSecondsPer1000: perK(http.cpuSeconds, alloc.ops),
    },
    ...(broad ? { broadCriteriaClaim: broad } : {}),
    ratioAllocationToBareUpdate: ratio,
    ratioAllocationToSqlClaim: +(alloc.opsPerSecond / sql.opsPerSecond).toFixed(3),
    doubleAllocations: doubles,
    goal: GOAL,
    met: {
      ratio: ratio >= GOAL.ratioAtLeast,
      p99: alloc.latencyMs.p99 <= GOAL.p99AtMostMs,
      noDoubleAllocations:
        doubles.doubleAllocations === 0 &&
        doubles.distinctAddresses === N &&
        doubles.allocatedRows === N &&
        doubles.endpointsWithoutExactlyOneAllocatedHistoryRow === 0,
    },
  };
  return result;
}

runBench(async (teardown) => {
  const cases: Awaited<ReturnType<typeof onServer>>[] = [];
  for (const server of SERVERS) {
    if (server !== 'dev' && server !== 'full') throw new Error(`BENCH_SERVERS: dev and/or full, not "${server}"`);
    cases.push(await onServer(server, teardown));
  }
  type Figures = { opsPerSecond: number; latencyMs: { p50: number; p99: number }; cpuSecondsPer1000: Record<string, number> };
  const dev = cases.find((c) => c.server === 'dev');
  const row = (name: string, pick: (c: Record<string, unknown>) => Figures) =>
    cases.map((c) => {
      const f = pick(c);
      const d = dev ? pick(dev) : undefined;
      return [
        `${name} (${c.server})`,
        f.opsPerSecond,
        f.latencyMs.p50,
        f.latencyMs.p99,
        d && c !== dev ? +(f.opsPerSecond / d.opsPerSecond).toFixed(2) : 1,
        `${f.cpuSecondsPer1000.api ?? '-'} / ${f.cpuSecondsPer1000.worker} / ${f.cpuSecondsPer1000.temporal} / ${f.cpuSecondsPer1000.postgres}`,
      ];
    });
  console.log();
  printTable(
    ['run (server)', 'ops/s', 'p50 ms', 'p99 ms', 'ops/s vs dev', 'CPU s per 1000: api / worker / temporal / postgres'],
    [
      ...row('bare Temporal update', (c) => ({
        ...(c.bareTemporalUpdate as { before: Figures }).before,
        cpuSecondsPer1000: (c.bareTemporalUpdate as Figures).cpuSecondsPer1000,
      })),
      ...row('update + local activity + upsert', (c) => c.updateWithLocalActivityAndUpsert as Figures),
      ...row('bare SQL claim', (c) => c.bareSqlClaim as Figures),
      ...row('POST /v1/allocations', (c) => c.allocation as Figures),
    ],
  );
  const settings = benchSettings();
  console.log(`(fsync ${BENCH_FSYNC ? 'on' : 'OFF'}; load ${settings.loadAverage.join(' ')} at the end)`);
  const full = cases.find((c) => c.server === 'full');
  const alloc = (c: Record<string, unknown> | undefined) => (c?.allocation as Figures | undefined)?.opsPerSecond;
  const result = {
    bench: 'allocation',
    date: settings.date,
    command: `${N === 2000 ? '' : `BENCH_N=${N} `}${OTHERS ? `BENCH_OTHER_ENDPOINTS=${OTHERS} ` : ''}${process.env.BENCH_SERVERS ? `BENCH_SERVERS=${process.env.BENCH_SERVERS} ` : ''}${BENCH_FSYNC ? '' : 'BENCH_FSYNC=off '}node --import tsx bench/allocation.bench.ts`,
    machine: machine(),
    settings,
    ratioFullToDevAllocationRate: dev && full ? +(alloc(full)! / alloc(dev)!).toFixed(2) : null,
    cases,
  };
  say(`wrote ${writeResult(OTHERS ? `allocation-with-${OTHERS}-others` : 'allocation', result)}`);
});
