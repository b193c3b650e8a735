// `npm run faults`: the fault suite. A private stack (PostgreSQL cluster
// "faults", a Temporal dev server with its state in a file so it survives a
// restart, the carrier simulator, a worker and an API process under
// supervision) takes a stream of allocations, releases and searches through
// the API — and orders through the monitor and the simulator — while faults
// are injected one scenario after another: the worker SIGKILLed (also in the
// middle of an order), PostgreSQL restarted, the Temporal server restarted,
// the API SIGKILLed, carriers down, failing, hanging, and sending duplicate
// webhooks. Then it checks the invariants of docs/design.md and prints the
// figures. Exit code 0 only with zero violations.
//
//   npm run faults                 FAULTS_OPS=10000 (operations at least), FAULTS_CLIENTS=12
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { lifecyclePolicy, loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { createAccount } from '../src/db/accounts';
import * as audit from '../src/db/audit';
import { findByAddress } from '../src/db/endpoint-reads';
import { createProvider } from '../src/db/providers';
import { TemporalGateway } from '../src/temporal/gateway';
import { createGrouping } from '../src/usecases/groupings';
import { createApiKey } from '../src/usecases/keys';
import { ingest } from '../src/usecases/ingest';
import { reconcileEndpoints } from '../src/usecases/reconcile';
import { createSimulator } from '../src/carriers/simulator/simulator';
import { ensureRoleAndDatabase, say, sleep, startFullTemporal, startPrivatePostgres, startTemporal, waitFor, type Managed } from './lib/stack';
import { Service, apiReady, workerReady } from './lib/cluster';
import { PidFile } from './lib/stack';

const OPS_TARGET = Number(process.env.FAULTS_OPS ?? 10_000);
const CLIENTS = Number(process.env.FAULTS_CLIENTS ?? 12);
const PG_PORT = Number(process.env.FAULTS_PG_PORT ?? 55440);
const TEMPORAL_PORT = Number(process.env.FAULTS_TEMPORAL_PORT ?? 7383);
const API_PORT = Number(process.env.FAULTS_API_PORT ?? 3480);
// a shelf smaller than the demand: the monitor keeps ordering, so the carrier faults meet live orders
const SEED_NUMBERS = 160;
const DIR = join(__dirname, '..', '.ei', 'faults');
const TASK_QUEUE = 'faults';

type Verdict = 'ok' | 'refused' | 'none' | 'gave_up';

/** what was started, stopped in reverse order at the end, on failure and on Ctrl-C */
const cleanups: (() => Promise<void> | void)[] = [];
async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch((err: unknown) => say(`clean-up: ${(err as Error).message}`));
}
process.on('SIGINT', () => void cleanUp().then(() => process.exit(130)));
interface Figures {
  ops: Record<string, number>;
  retries: number;
  status: Record<string, number>;
  gaveUp: number;
}

class Ledger {
  /** address → client holding it (acknowledged 201, not yet released) */
  readonly held = new Map<string, number>();
  /** address → client releasing it (release sent, answer not yet final) */
  readonly releasing = new Map<string, number>();
  readonly violations: string[] = [];

  allocated(address: string, client: number): void {
    const holder = this.held.get(address);
    if (holder !== undefined) this.violations.push(`double allocation: ${address} given to client ${client} while client ${holder} holds it`);
    this.held.set(address, client);
  }
}

async function main(): Promise<number> {
  const t0 = Date.now();
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  say(`fault suite: ${CLIENTS} clients, at least ${OPS_TARGET} operations; logs in ${DIR}`);

  // ---------------------------------------------------------------- the stack
  const pg = await startPrivatePostgres('faults', PG_PORT);
  cleanups.push(() => pg.stop());
  pg.psql('DROP DATABASE IF EXISTS endpoint_inventory_faults WITH (FORCE)');
  const databaseUrl = ensureRoleAndDatabase(pg, 'endpoint_inventory', 'endpoint_inventory', 'endpoint_inventory_faults');
  await migrate(databaseUrl);
  const temporalDb = join(DIR, 'temporal.db');
  // FAULTS_TEMPORAL=full (default): the full server (its own PostgreSQL databases in this cluster, fresh at the first start, kept across
  // restarts; ports FAULTS_TEMPORAL_PORT…+8) — measured no dearer than the dev server (FAULTS_OPS=2000: 793 s against 835 s); dev: the CLI's dev server on a SQLite file
  let fullStarts = 0;
  const startTemporalServer = (): Promise<Managed> =>
    (process.env.FAULTS_TEMPORAL ?? 'full') === 'full'
      ? startFullTemporal({ port: TEMPORAL_PORT, pg, name: 'faults', fresh: fullStarts++ === 0, uiPort: null, logFile: join(DIR, 'temporal.log') })
      : startTemporal({ port: TEMPORAL_PORT, uiPort: null, dbFile: temporalDb, logFile: join(DIR, 'temporal.log') });
  const pids = new PidFile(join(DIR, '..', 'faults.pids'));
  pids.killLeftovers();
  let temporal: Managed = await startTemporalServer();
  pids.add(temporal);
  cleanups.push(() => temporal.stop());
  const api = `http://127.0.0.1:${API_PORT}`;

  const db = createDb(databaseUrl, 8);
  cleanups.push(() => db.$disconnect());
  const operatorKey = (await createApiKey(db, { name: 'faults operator', scope: 'OPERATOR', rateLimit: 100_000_000 })).key;
  const accounts = Array.from({ length: CLIENTS }, (_, i) => `acct-fault-${i}`);
  for (const id of accounts) await createAccount(db, { id, name: id });
  const platformKey = (await createApiKey(db, { name: 'faults platform', scope: 'PLATFORM', accountIds: accounts, rateLimit: 100_000_000 })).key;

  const sim = createSimulator({
    carriers: [
      { id: 'sim-a', secret: 'sim-a-secret', deliveryDelayMs: 500, genericPoolRate: 0.05, partialFillRate: 0.1 },
      { id: 'sim-b', secret: 'sim-b-secret', deliveryDelayMs: 800, splitDeliveryRate: 0.2 },
    ],
    webhookBase: `${api}/v1/carriers`,
    trafficUrl: `${api}/v1/traffic`,
    trafficKey: operatorKey,
    seed: Number(process.env.FAULTS_SEED ?? 20261127),
    hangMs: 4000,
    webhookRetries: 12,
  });
  const simServer = sim.app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => simServer.once('listening', () => r()));
  cleanups.push(() => {
    sim.close();
    simServer.close();
  });
  const simUrl = `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`;
  await createProvider(db, {
    id: 'sim-a',
    name: 'Simulated A',
    kind: 'API',
    apiBaseUrl: `${simUrl}/carriers/sim-a`,
    webhookSecret: 'sim-a-secret',
    countries: ['US'],
    costPerNumberCents: 100,
    reliabilityScore: 0.9,
  });
  await createProvider(db, {
    id: 'sim-b',
    name: 'Simulated B',
    kind: 'API',
    apiBaseUrl: `${simUrl}/carriers/sim-b`,
    webhookSecret: 'sim-b-secret',
    countries: ['US'],
    costPerNumberCents: 150,
    reliabilityScore: 0.9,
  });
  for (const g of [
    { name: 'faults 415', tags: ['npa:415'], minAvailable: 30, targetAvailable: 60, maxAvailable: 400 },
    { name: 'faults 628 sms', tags: ['cap:sms', 'npa:628'], minAvailable: 30, targetAvailable: 60, maxAvailable: 400 },
  ])
    await createGrouping({ db }, g);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '20',
    TEMPORAL_ADDRESS: `127.0.0.1:${TEMPORAL_PORT}`,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    API_PORT: String(API_PORT),
    RATE_LIMIT_PER_MINUTE: '100000000',
    QUARANTINE_NEW: '2s',
    QUARANTINE_AGING: '2s',
    QUARANTINE_EXTENSION: '1s',
    MONITOR_PERIOD: '15s',
    MONITOR_BATCH_WINDOW: '3s',
    ORDER_DELIVERY_TIMEOUT: '90s',
    CARRIER_HTTP_TIMEOUT: '2s',
    SHUTDOWN_GRACE_MS: '2000',
    // a request the SIGKILLed API held: its key is free again after 10 s (default 30 s)
    IDEMPOTENCY_LEASE: '10s',
  };
  const config = loadConfig(env);
  /** a connection of its own each time: the Temporal server is restarted in between */
  const gateway = () => new TemporalGateway(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, undefined, TASK_QUEUE);
  // every process started is remembered: a run killed hard leaves none behind for the next (killLeftovers above)
  const remember = (p: { name: string; pid: number }) => pids.add(p);
  const worker = new Service({
    name: 'worker',
    script: 'workers/main.ts',
    env,
    logFile: join(DIR, 'worker.log'),
    ready: workerReady(join(DIR, 'worker.log')),
    onSpawn: remember,
  });
  const apiProc = new Service({ name: 'api', script: 'src/main.ts', env, logFile: join(DIR, 'api.log'), ready: apiReady(api), onSpawn: remember });
  cleanups.push(
    () => worker.stop(),
    () => apiProc.stop(),
  );
  await worker.start();
  await apiProc.start();

  // the first shelf: 400 numbers in quarantine for 2 s, then tested and offered
  {
    const seeding = gateway();
    await ingest(
      { db, temporal: seeding, policy: lifecyclePolicy(config) },
      Array.from({ length: SEED_NUMBERS }, (_, i) => ({
        address: `+1${i % 2 ? '415' : '628'}${String(5_550_000 + i * 17).padStart(7, '0')}`,
        capable: { voice: true, sms: true },
      })),
      { entry: 'quarantine', providerId: 'sim-a', actor: 'faults-seed' },
    );
    await seeding.close();
    await waitFor('the first shelf', async () => (await audit.countInStates(db, ['AVAILABLE'])) >= SEED_NUMBERS * 0.9, 180_000);
  }
  say(`stack up and stocked in ${Math.round((Date.now() - t0) / 1000)} s; load and faults begin`);

  // ---------------------------------------------------------------- the load
  const ledger = new Ledger();
  const figures: Figures = { ops: {}, retries: 0, status: {}, gaveUp: 0 };
  const count = (op: string) => (figures.ops[op] = (figures.ops[op] ?? 0) + 1);
  let stopLoad = false;

  /** one request until it has a final answer: 5xx, 429 and network errors are retried, POSTs with the same Idempotency-Key */
  async function call(method: string, path: string, body?: unknown, key = platformKey): Promise<{ status: number; body: Record<string, unknown> } | null> {
    const idem = method === 'POST' ? randomUUID() : undefined;
    const deadline = Date.now() + 120_000;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${api}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(idem ? { 'idempotency-key': idem } : {}) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
        const status = res.status;
        const text = await res.text();
        figures.status[status] = (figures.status[status] ?? 0) + 1;
        if (status < 500 && status !== 429 && !(status === 409 && text.includes('idempotency_in_progress')))
          return { status, body: JSON.parse(text) as Record<string, unknown> };
      } catch {
        figures.status.network = (figures.status.network ?? 0) + 1;
      }
      if (Date.now() > deadline) {
        figures.gaveUp++;
        return null;
      }
      figures.retries++;
      await sleep(Math.min(200 * 2 ** Math.min(attempt, 4), 3000));
    }
  }

  async function client(i: number): Promise<void> {
    const accountId = accounts[i]!;
    const mine = () => [...ledger.held].filter(([, c]) => c === i).map(([a]) => a);
    while (!stopLoad) {
      const r = Math.random();
      const holding = mine();
      let verdict: Verdict = 'ok';
      if (holding.length < 2 || r < 0.35) {
        const criteria = Math.random() < 0.5 ? { npa: '415' } : { npa: '628', capabilities: ['sms'] };
        const res = await call('POST', '/v1/allocations', { accountId, criteria, applicationUri: `sip:client-${i}@faults.example` });
        if (!res) verdict = 'gave_up';
        else if (res.status === 201) ledger.allocated(String(res.body.address), i);
        else if (res.status === 409 && res.body.code === 'none_available') verdict = 'none';
        else {
          verdict = 'refused';
          if (res.status >= 400 && res.status !== 409) ledger.violations.push(`allocation answered ${res.status}: ${JSON.stringify(res.body)}`);
        }
        count(`allocate:${verdict}`);
      } else if (r < 0.65) {
        const address = holding[Math.floor(Math.random() * holding.length)]!;
        ledger.held.delete(address);
        ledger.releasing.set(address, i);
        const res = await call('POST', '/v1/releases', { accountId, address });
        ledger.releasing.delete(address);
        if (res?.status === 200) count('release:ok');
        else {
          count(res ? 'release:refused' : 'release:gave_up');
          if (res) ledger.violations.push(`release of a held endpoint refused: ${address} ${res.status} ${JSON.stringify(res.body)}`);
          // not released: still this client's, unless someone else got it meanwhile
          if (ledger.held.has(address))
            ledger.violations.push(`double allocation: ${address} held by client ${ledger.held.get(address)} while client ${i}'s release did not go through`);
          else if (res) ledger.held.set(address, i);
        }
      } else {
        const q = ['npa=415', 'npa=628&capabilities=sms', `contains=${5550 + Math.floor(Math.random() * 400)}`, 'near=%2B14155550100&limit=5'][
          Math.floor(Math.random() * 4)
        ]!;
        const res = await call('GET', `/v1/endpoints?${q}`);
        count(res?.status === 200 ? 'search:ok' : res ? 'search:refused' : 'search:gave_up');
        if (res && res.status !== 200) ledger.violations.push(`search answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
      if (verdict === 'none') await sleep(300); // the shelf is empty: the monitor is ordering
    }
  }
  const totalOps = () => Object.values(figures.ops).reduce((a, b) => a + b, 0);
  const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));

  // ---------------------------------------------------------------- the faults
  const faults: { scenario: string; injected: number; ms: number }[] = [];
  const scenario = async (name: string, run: () => Promise<number>) => {
    const started = Date.now();
    say(`fault: ${name} (operations so far ${totalOps()})`);
    const injected = await run();
    faults.push({ scenario: name, injected, ms: Date.now() - started });
    await sleep(6000); // let it settle, under load
  };
  const restartPostgres = async () => {
    await pg.stop();
    await sleep(3000);
    await pg.start();
  };
  const restartTemporal = async () => {
    await temporal.stop();
    await sleep(3000);
    temporal = await startTemporalServer();
    pids.add(temporal);
  };
  const carriers = ['sim-a', 'sim-b'] as const;
  /** SIGKILL the worker at a random moment after it has been serving a while (a worker that never gets up tests nothing) */
  const killWorker = async (afterMs = 1000 + Math.random() * 4000) => {
    await worker.waitReady();
    await sleep(afterMs);
    worker.kill();
  };

  await sleep(5000);
  await scenario('worker SIGKILL at a random moment, restarted by its supervisor', async () => {
    for (let i = 0; i < 3; i++) await killWorker();
    return 3;
  });
  await scenario('worker SIGKILL right after a check-now placed orders (mid-submission)', async () => {
    await worker.waitReady();
    void call('POST', '/v1/inventory/check', undefined, operatorKey);
    await killWorker(400);
    return 1;
  });
  await scenario('PostgreSQL restarted (fast shutdown, 3 s down)', async () => {
    await restartPostgres();
    return 1;
  });
  await scenario('Temporal server restarted (3 s down, state kept)', async () => {
    await restartTemporal();
    return 1;
  });
  await scenario('API process SIGKILLed twice (clients retry with their Idempotency-Keys)', async () => {
    for (let i = 0; i < 2; i++) {
      await sleep(2000 + Math.random() * 2000);
      apiProc.kill();
      await sleep(2500);
    }
    return 2;
  });
  await scenario('carrier sim-a down for 15 s, orders re-routed or retried', async () => {
    sim.configure('sim-a', { down: true });
    void call('POST', '/v1/inventory/check', undefined, operatorKey);
    await sleep(15_000);
    sim.configure('sim-a', { down: false });
    return 1;
  });
  await scenario('carriers failing: 40 % 5xx, 20 % 429, 20 % hangs, for 15 s', async () => {
    for (const c of carriers) sim.configure(c, { errorRate: 0.4, rateLimitRate: 0.2, timeoutRate: 0.2 });
    void call('POST', '/v1/inventory/check', undefined, operatorKey);
    await sleep(15_000);
    for (const c of carriers) sim.configure(c, { errorRate: 0, rateLimitRate: 0, timeoutRate: 0 });
    return 1;
  });
  await scenario('duplicate webhooks from every carrier for 15 s', async () => {
    for (const c of carriers) sim.configure(c, { duplicateWebhookRate: 1 });
    void call('POST', '/v1/inventory/check', undefined, operatorKey);
    await sleep(15_000);
    for (const c of carriers) sim.configure(c, { duplicateWebhookRate: 0 });
    return 1;
  });
  await scenario('worker SIGKILL while PostgreSQL restarts', async () => {
    await killWorker(500);
    await restartPostgres();
    return 2;
  });
  await scenario('Temporal server restart while the worker is SIGKILLed', async () => {
    await killWorker(500);
    await restartTemporal();
    return 2;
  });
  // until the operation count is reached, the worker SIGKILLed 15-35 s after each time it is up again
  let extra = 0;
  const extraStarted = Date.now();
  while (totalOps() < OPS_TARGET) {
    await worker.waitReady();
    const until = Date.now() + 15_000 + Math.random() * 20_000;
    while (Date.now() < until && totalOps() < OPS_TARGET) await sleep(1000);
    if (totalOps() < OPS_TARGET) {
      worker.kill();
      extra++;
    }
    say(`operations ${totalOps()} / ${OPS_TARGET}`);
  }
  if (extra) faults.push({ scenario: 'worker SIGKILL 15-35 s after each restart until the operation target', injected: extra, ms: Date.now() - extraStarted });
  stopLoad = true;
  await Promise.all(clients);
  say(`load stopped after ${totalOps()} operations; letting orders and lifecycles settle`);

  // ---------------------------------------------------------------- settle
  await worker.waitReady();
  await apiProc.waitReady();
  const open = () => audit.openOrderCount(db);
  await waitFor('open orders to settle', async () => (await open()) === 0, 240_000).catch(async () =>
    say(`orders still open after 4 minutes: ${await open()}`),
  );
  await sim.flush();
  await waitFor('transient states to settle', async () => (await audit.countInStates(db, ['TESTING', 'ORDERED'])) === 0, 120_000).catch(() => undefined);
  await sleep(3000);

  // ---------------------------------------------------------------- invariants
  const violations = [...ledger.violations];
  const v = (what: string) => violations.push(what);
  // 1. every acknowledged allocation is there, held by its client's account; nothing is held twice
  const heldRows = await audit.holdings(db, [...ledger.held.keys()]);
  const byAddress = new Map(heldRows.map((r) => [r.address, r]));
  for (const [address, c] of ledger.held) {
    const row = byAddress.get(address);
    if (!row || row.state !== 'ALLOCATED' || row.accountId !== accounts[c])
      v(`acknowledged allocation lost: ${address} (client ${c}) is ${row ? `${row.state} for ${row.accountId}` : 'missing'}`);
  }
  const orphans = await audit.allocatedBesides(db, accounts, [...ledger.held.keys()]);
  const unacknowledged = orphans.length;
  // 2. every endpoint's history is one unbroken chain: no transition lost, none twice, none from a state it was not in
  const breaks = await audit.historyBreaks(db);
  for (const b of breaks) v(`history chain broken: ${b.address} v${b.version} from ${b.from_state} after ${b.prev} (step ${b.step})`);
  const stale = await audit.versionsOffHistory(db);
  for (const s of stale) v(`row version differs from its last history entry: ${s.address}`);
  // 3. every number a carrier delivered is in the repository exactly once, or was returned with a reason
  const stats = sim.stats();
  const delivered = new Map((await audit.deliveredNumbers(db)).map((d) => [`${d.orderId} ${d.address}`, d]));
  const outcomes = new Map<string, { outcome: string; reason: string | null }[]>();
  for (const d of delivered.values()) outcomes.set(d.address, [...(outcomes.get(d.address) ?? []), d]);
  let deliveredCount = 0;
  let abandoned = 0;
  for (const c of carriers) {
    abandoned += stats.carriers[c]!.webhooksAbandoned;
    for (const n of new Set(stats.carriers[c]!.deliveredNumbers)) {
      deliveredCount++;
      const seen = outcomes.get(n);
      if (!seen) {
        v(`delivered number lost: ${n} from ${c} has no outcome in the repository`);
        continue;
      }
      const accepted = seen.filter((s) => s.outcome === 'ACCEPTED').length;
      if (accepted > 1) v(`delivered number accepted twice: ${n}`);
      if (accepted === 0 && seen.some((s) => !s.reason)) v(`delivered number refused without a reason: ${n}`);
      if (accepted === 1 && !(await findByAddress(db, n))) v(`accepted number missing from endpoints: ${n}`);
    }
  }
  if (abandoned) v(`${abandoned} carrier webhooks were given up after every retry (their numbers never reached the service)`);
  // 4. exactly one order at the carrier per order of the repository
  const orders = await audit.acquireOrders(db);
  const ordersByKey = new Map(orders.map((o) => [o.idempotencyKey, o]));
  for (const c of carriers) {
    const keys = stats.carriers[c]!.orderKeys;
    if (new Set(keys).size !== keys.length) v(`carrier ${c} holds two orders for one key`);
    for (const k of keys) if (ordersByKey.get(k)?.providerId !== c) v(`carrier ${c} holds an order the repository does not know: ${k}`);
  }
  for (const o of orders) {
    if (o.carrierReference && !stats.carriers[o.providerId]?.orderKeys.includes(o.idempotencyKey))
      v(`order ${o.idempotencyKey} is marked submitted but ${o.providerId} has no such order`);
  }
  // 5. reconciliation: every endpoint workflow agrees with its row; no workflow failed
  const temporalGateway = gateway();
  const report = await reconcileEndpoints({ db, temporal: temporalGateway, policy: lifecyclePolicy(config) });
  for (const d of report.drift)
    v(
      `reconciliation drift: ${d.address} ${d.kind} (workflow ${d.workflow?.state ?? '-'} v${d.workflow?.version ?? '-'}, row ${d.row?.state ?? '-'} v${d.row?.version ?? '-'})`,
    );
  const failed = await temporalGateway.countWorkflows('ExecutionStatus = "Failed"');
  if (failed) v(`${failed} workflows failed`);
  await temporalGateway.close();
  // 6. never a 500: faults are 503s
  if (figures.status[500]) v(`${figures.status[500]} answers were 500`);

  // ---------------------------------------------------------------- figures
  const orderStatus = await audit.ordersByStatus(db);
  const result = {
    seconds: Math.round((Date.now() - t0) / 1000),
    operations: totalOps(),
    byOperation: figures.ops,
    answers: figures.status,
    retries: figures.retries,
    gaveUp: figures.gaveUp,
    faultScenarios: faults.length,
    faultsInjected: faults.reduce((n, f) => n + f.injected, 0),
    faults,
    supervisorRestarts: { worker: worker.restarts, api: apiProc.restarts },
    orders: orderStatus,
    carrierSubmissions: Object.fromEntries(carriers.map((c) => [c, Object.values(stats.carriers[c]!.submissions).reduce((a, b) => a + b, 0)])),
    carrierOrders: Object.fromEntries(carriers.map((c) => [c, stats.carriers[c]!.orderKeys.length])),
    numbersDelivered: deliveredCount,
    endpointsHeldAtEnd: ledger.held.size,
    unacknowledgedAllocations: unacknowledged,
    unacknowledgedList: orphans.slice(0, 20).map((o) => ({ ...o, stateChangedAt: o.stateChangedAt.toISOString() })),
    reconciliation: { workflows: report.workflows, rows: report.rows, drift: report.drift.length },
    violations: violations.length,
    violationList: violations.slice(0, 50),
  };
  writeFileSync(join(DIR, 'result.json'), JSON.stringify(result, null, 2));
  console.log(`
fault suite — ${result.seconds} s
  operations        ${result.operations} (${Object.entries(result.byOperation)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')})
  answers           ${Object.entries(result.answers)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ')}; retried ${result.retries}, given up ${result.gaveUp}
  fault scenarios   ${result.faultScenarios}, faults injected ${result.faultsInjected}; supervisor restarts: worker ${worker.restarts}, api ${apiProc.restarts}
${faults.map((f) => `    - ${f.scenario}: ${f.injected}`).join('\n')}
  orders            ${JSON.stringify(result.orders)}; carrier orders ${JSON.stringify(result.carrierOrders)}, submissions ${JSON.stringify(result.carrierSubmissions)}
  numbers delivered ${deliveredCount}; held at the end ${ledger.held.size}; allocated without an acknowledgement ${unacknowledged}
  reconciliation    ${report.workflows} workflows, ${report.rows} rows, drift ${report.drift.length}
  violations        ${violations.length}${
    violations.length
      ? `\n${violations
          .slice(0, 50)
          .map((x) => `    ! ${x}`)
          .join('\n')}`
      : ''
  }
  (result: ${join(DIR, 'result.json')})
`);

  await cleanUp();
  return violations.length === 0 && totalOps() >= OPS_TARGET && faults.length >= 8 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`[faults] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanUp();
    process.exit(2);
  },
);
