// `npm start` (after scripts/setup.sh): brings up PostgreSQL, Temporal (with
// its Web UI), the worker and the API, prints where each is, and on Ctrl-C
// stops everything it started, in reverse order.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';
import { DEMO_CARRIERS, seedDemo, stateCounts } from './demo-seed';
import { driveDemoTraffic } from './demo-traffic';
import { createRouterKey, repairDrift } from './demo-seed';
import {
  CACHE_DIR,
  TEMPORAL_BIN,
  PidFile,
  ensureRoleAndDatabase,
  say,
  spawnManaged,
  startPrivatePostgres,
  startSystemPostgres,
  startFullTemporal,
  startTemporal,
  temporalServing,
  waitFor,
  type Managed,
  type PostgresHandle,
} from './lib/stack';

const ROOT = join(__dirname, '..');
const TEMPORAL_PORT = 7233;
const TEMPORAL_UI_PORT = 8233;

async function main(): Promise<void> {
  const stateDir = join(ROOT, '.ei');
  mkdirSync(stateDir, { recursive: true });
  const pids = new PidFile(join(stateDir, 'demo.pids'));
  pids.killLeftovers();

  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  stopAll = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping everything this run started`);
    for (const stop of stops.reverse()) {
      await stop().catch((err: unknown) => say(`stop failed: ${(err as Error).message}`));
    }
    pids.clear();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll?.('Ctrl-C'));
  process.on('SIGTERM', () => void stopAll?.('SIGTERM'));

  // PostgreSQL: Debian's cluster when we are root, else a private one
  let databaseUrl = process.env.DATABASE_URL;
  const fullTemporal = (process.env.TEMPORAL_SERVER ?? 'dev') === 'full';
  let pg: PostgresHandle | undefined;
  // the full Temporal server keeps its databases in this cluster too (with DATABASE_URL set, in the private one)
  if (!databaseUrl || fullTemporal) {
    pg = process.getuid?.() === 0 && !databaseUrl ? await startSystemPostgres() : await startPrivatePostgres('demo', 5433);
    const cluster = pg;
    stops.push(() => cluster.stop());
    say(`PostgreSQL ready on :${pg.port}${pg.startedHere ? ' (started)' : ' (already running)'}`);
  }
  if (databaseUrl) {
    say('DATABASE_URL is set: using that database as it is');
  } else {
    databaseUrl = ensureRoleAndDatabase(pg!, 'endpoint_inventory', 'endpoint_inventory', 'endpoint_inventory');
  }
  const result = await migrate(databaseUrl, say);
  say(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already in place`);

  // Temporal: the dev server with its Web UI, state kept in a SQLite file; or (TEMPORAL_SERVER=full) the full server on PostgreSQL
  let temporalWebUrl = `http://localhost:${TEMPORAL_UI_PORT}`;
  if (await temporalServing(TEMPORAL_PORT)) {
    say(`Temporal already serving on :${TEMPORAL_PORT}: using it (and leaving it running)`);
  } else if (fullTemporal) {
    say(
      `starting the full Temporal server on :${TEMPORAL_PORT} (services on :${TEMPORAL_PORT + 1}-${TEMPORAL_PORT + 8}, databases temporal_demo* on :${pg!.port})`,
    );
    const started = Date.now();
    const temporal = await startFullTemporal({ port: TEMPORAL_PORT, pg: pg!, name: 'demo', uiPort: TEMPORAL_UI_PORT, logFile: join(stateDir, 'temporal.log') });
    say(`full Temporal server ready in ${Date.now() - started} ms${temporal.uiUrl ? `, Web UI ${temporal.uiUrl}` : ' (no Web UI)'}`);
    if (!temporal.uiUrl) temporalWebUrl = '';
    pids.add(temporal);
    if (temporal.ui) pids.add(temporal.ui);
    stops.push(() => temporal.stop());
  } else {
    mkdirSync(join(CACHE_DIR, 'demo'), { recursive: true });
    say(`starting Temporal dev server on :${TEMPORAL_PORT} (Web UI :${TEMPORAL_UI_PORT})`);
    const temporal = await startTemporal({
      port: TEMPORAL_PORT,
      uiPort: TEMPORAL_UI_PORT,
      dbFile: join(CACHE_DIR, 'demo', 'temporal.db'),
      logFile: join(stateDir, 'temporal.log'),
    });
    pids.add(temporal);
    stops.push(() => temporal.stop());
  }

  // the demo's durations: minutes instead of weeks (override any of them in the environment)
  const env = {
    QUARANTINE_NEW: '90s',
    QUARANTINE_AGING: '60s',
    QUARANTINE_EXTENSION: '30s',
    PORT_OUT_DURATION: '60s',
    // capability tests go through the carrier simulator's test-call API (DEMO_CARRIERS' failure rates) and back to the API's inbound entry
    HARNESS: 'carrier',
    HARNESS_CARRIER: 'sim-west',
    HARNESS_TIMEOUT_VOICE: '20s',
    HARNESS_TIMEOUT_SMS: '20s',
    HARNESS_TIMEOUT_MMS: '20s',
    HARNESS_TIMEOUT_FAX: '20s',
    MONITOR_PERIOD: '1 minute',
    MONITOR_BATCH_WINDOW: '20s',
    ORDER_DELIVERY_TIMEOUT: '2 minutes',
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${TEMPORAL_PORT}`,
    ...(temporalWebUrl ? { TEMPORAL_WEB_URL: temporalWebUrl } : {}),
  };
  const config = loadConfig(env);
  const node = (name: string, script: string, extra: Record<string, string> = {}): Managed => {
    const m = spawnManaged(name, process.execPath, ['--import', 'tsx', script], { env: { ...env, ...extra }, cwd: ROOT, echo: true });
    pids.add(m);
    stops.push(() => m.stop());
    return m;
  };
  const simPort = 3100;
  say(`starting carrier simulator on :${simPort} (carriers sim-west, sim-east)`);
  const simEnv = {
    ...env,
    SIM_PORT: String(simPort),
    SIM_WEBHOOK_BASE: `http://${config.API_HOST}:${config.API_PORT}/v1/carriers`,
    SIM_TRAFFIC_URL: `http://${config.API_HOST}:${config.API_PORT}/v1/traffic`,
    SIM_TRAFFIC_KEY: await createRouterKey(config),
    SIM_CARRIERS: JSON.stringify(DEMO_CARRIERS),
    LOG_LEVEL: 'warn',
  };
  const sim = spawnManaged('simulator', process.execPath, ['--import', 'tsx', 'src/carriers/simulator/main.ts'], { env: simEnv, cwd: ROOT, echo: true });
  pids.add(sim);
  stops.push(() => sim.stop());
  say('starting worker');
  node('worker', 'workers/main.ts');
  say('starting API');
  // the API's access log (one line per request) would drown the demo's output: warnings only, unless LOG_LEVEL says otherwise
  node('api', 'src/main.ts', { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });

  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  await waitFor('API', async () => (await fetch(`${api}/ready`).catch(() => undefined))?.status === 200, 120_000);
  const ready: unknown = await (await fetch(`${api}/ready`)).json();

  say('the stack is up:');
  console.log(`
  API            ${api}              (readiness: ${api}/ready)
  Dashboard      ${api}/dashboard    (paste the operator key printed below)
  API docs       ${api}/docs         (OpenAPI: ${api}/v1/openapi.json)
  Metrics        ${api}/metrics
  Orders         ${api}/v1/orders    (inventory: ${api}/v1/inventory)
  Carrier sim    http://127.0.0.1:3100/stats
  Temporal Web   ${temporalWebUrl || '(none: the full server has no Web UI here, see docs/operations.md)'}
  Temporal gRPC  127.0.0.1:${TEMPORAL_PORT}   (temporal workflow list --address 127.0.0.1:${TEMPORAL_PORT})
  PostgreSQL     ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}

  /ready: ${JSON.stringify(ready)}
`);
  const keys = await seedDemo(config, say, `http://127.0.0.1:${simPort}`);
  // rows kept from an earlier run whose workflows are gone (Temporal's state deleted): give them workflows again
  const repaired = await repairDrift(config);
  if (repaired) say(`reconciliation at start: ${repaired}`);
  say(`quarantine ${config.QUARANTINE_NEW / 1000}s, aging ${config.QUARANTINE_AGING / 1000}s (demo settings); watch them move:`);
  console.log(`
  ${TEMPORAL_BIN} workflow list --address 127.0.0.1:${TEMPORAL_PORT} --query 'EndpointState="QUARANTINE"'
  npm run reconcile     (with DATABASE_URL and TEMPORAL_ADDRESS as above)

  API keys for this run:
    operator  ${keys.operatorKey}
    platform  ${keys.platformKey}   (accounts acct-demo-1, acct-demo-2)
  e.g. curl -H "Authorization: Bearer ${keys.platformKey}" -H 'content-type: application/json' \
         -d '{"accountId":"acct-demo-1","criteria":{"npa":"415"}}' ${api}/v1/allocations

  Ctrl-C stops everything started here.
`);
  // the demo's customers: allocations and releases through the API (DEMO_TRAFFIC=off to leave it quiet)
  if (process.env.DEMO_TRAFFIC !== 'off') {
    const intervalMs = Number(process.env.DEMO_TRAFFIC_INTERVAL_MS ?? 4000);
    say(`demo traffic: one allocation every ${intervalMs / 1000}s through the API, about half released again after 1-3 min (DEMO_TRAFFIC=off stops it)`);
    const traffic = driveDemoTraffic({ api, platformKey: keys.platformKey, intervalMs, holdMs: 60_000, log: say });
    stops.push(() => Promise.resolve(traffic.stop())); // stopped first (reverse order)
  }
  // progress: the inventory by state, whenever it changes
  let last = '';
  for (;;) {
    const now = await stateCounts(config).catch((err: unknown) => `(${(err as Error).message})`);
    if (now !== last) say(`inventory: ${now}`);
    last = now;
    await new Promise((r) => setTimeout(r, 5000));
  }
}

let stopAll: ((why: string, code?: number) => Promise<void>) | undefined;

main().catch((err: unknown) => {
  console.error(`[stack] ${err instanceof Error ? err.message : String(err)}`);
  if (stopAll) void stopAll('start failed', 1);
  else process.exit(1);
});
