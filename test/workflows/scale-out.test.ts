// Scale-out: two worker processes and two API processes against one Temporal
// server and one PostgreSQL. Clients go through both APIs (round robin, and to
// the other one when one does not answer — as a load balancer would); the
// endpoint workflows' activities run on both workers. Mid-load one worker and
// one API are SIGKILLed and stay down: the others carry on and nothing is lost
// — every acknowledged allocation is there, no endpoint is held twice, every
// history is one unbroken chain, and reconciliation finds no drift.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Client, Connection } from '@temporalio/client';
import { lifecyclePolicy } from '../../src/config';
import { createApiKey } from '../../src/usecases/keys';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { reconcile } from '../../src/usecases/reconcile';
import { Service, apiReady, workerReady } from '../../scripts/lib/cluster';
import { SHARED_TASK_QUEUE, db, stack, temporalClient, testConfig } from '../support/stack';

const N = 240;
const CLIENTS = 16;
const LOGS = join(__dirname, '..', '..', 'test-artifacts', 'scale-out');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('scale-out: two workers and two APIs, one of each killed', function () {
  this.timeout(480_000);
  let client: Client;
  let connection: Connection;
  const workers: Service[] = [];
  const apis: { url: string; service: Service }[] = [];
  const accounts = Array.from({ length: CLIENTS }, (_, i) => `acct-scale-${i}`);

  before(async () => {
    mkdirSync(LOGS, { recursive: true });
    ({ client, connection } = await temporalClient());
    const env = {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: stack().databaseUrl,
      TEMPORAL_ADDRESS: stack().temporalAddress,
      TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE,
      WORKER_START_MONITOR: 'false',
      RATE_LIMIT_PER_MINUTE: '100000000',
      QUARANTINE_NEW: '1s',
      QUARANTINE_AGING: '1s',
      // capability tests through the simulated carrier network inside each worker (the numbers here have no carrier)
      HARNESS: 'simulated',
      SHUTDOWN_GRACE_MS: '1000',
      // a request the killed API held frees its Idempotency-Key after 5 s (default 30 s)
      IDEMPOTENCY_LEASE: '5s',
    };
    for (const i of [1, 2]) {
      const log = join(LOGS, `worker-${i}.log`);
      workers.push(new Service({ name: `worker-${i}`, script: 'workers/main.ts', env, logFile: log, ready: workerReady(log), supervise: false }));
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      apis.push({
        url,
        service: new Service({
          name: `api-${i}`,
          script: 'src/main.ts',
          env: { ...env, API_PORT: String(port) },
          logFile: join(LOGS, `api-${i}.log`),
          ready: apiReady(url),
          supervise: false,
        }),
      });
    }
    await Promise.all([...workers.map((w) => w.start()), ...apis.map((a) => a.service.start())]);
    for (const id of accounts) await db().account.upsert({ where: { id }, create: { id, name: id }, update: {} });
  });
  after(async () => {
    await Promise.all([...workers.map((w) => w.stop()), ...apis.map((a) => a.service.stop())]);
    // whatever did not stop in time is not left running after the suite
    for (const s of [...workers, ...apis.map((a) => a.service)]) s.kill();
    await connection.close();
  });

  it('spreads the work over both, and killing one worker and one API loses nothing', async () => {
    const key = (await createApiKey(db(), { name: 'scale platform', scope: 'PLATFORM', accountIds: accounts, rateLimit: 100_000_000 })).key;
    const config = testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s' });
    const addresses = Array.from({ length: N }, (_, i) => `+1303${String(5_550_000 + i * 11).padStart(7, '0')}`);
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config) },
      addresses.map((address) => ({ address, capable: { voice: true, sms: true } })),
      { entry: 'quarantine', actor: 'scale-test' },
    );
    const stocked = Date.now() + 240_000; // minutes on a busy machine
    while (Date.now() < stocked && (await db().endpoint.count({ where: { npa: '303', state: 'AVAILABLE' } })) < N) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await db().endpoint.count({ where: { npa: '303', state: 'AVAILABLE' } }), N, 'the shelf is stocked through both workers');

    // the load: allocations and releases through both APIs, each retried (same Idempotency-Key) on the other API when one fails
    const held = new Map<string, number>();
    const violations: string[] = [];
    const served = [0, 0];
    let next = 0;
    let stop = false;
    let ops = 0;
    const call = async (path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      const idem = randomUUID();
      const deadline = Date.now() + 120_000;
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        const which = next++ % apis.length;
        try {
          const res = await fetch(`${apis[which]!.url}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idem },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(20_000),
          });
          const text = await res.text();
          if (res.status < 500 && !text.includes('idempotency_in_progress')) {
            served[which]!++;
            return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
          }
        } catch {
          /* that API is away: the next attempt goes to the other */
        }
        await new Promise((r) => setTimeout(r, 100 * Math.min(attempt + 1, 10)));
      }
      throw new Error(`${path}: no final answer within 2 minutes`);
    };
    const clientLoop = async (c: number) => {
      while (!stop) {
        const mine = [...held].filter(([, h]) => h === c).map(([a]) => a);
        if (mine.length < 3 || Math.random() < 0.5) {
          const r = await call('/v1/allocations', { accountId: accounts[c], criteria: { npa: '303' } });
          if (r.status === 201) {
            const address = String(r.body.address);
            if (held.has(address)) violations.push(`double allocation: ${address} to ${c} while ${held.get(address)} holds it`);
            held.set(address, c);
          } else if (r.status !== 409) violations.push(`allocation answered ${r.status}: ${JSON.stringify(r.body)}`);
        } else {
          const address = mine[Math.floor(Math.random() * mine.length)]!;
          held.delete(address);
          const r = await call('/v1/releases', { accountId: accounts[c], address });
          if (r.status !== 200) violations.push(`release of a held endpoint answered ${r.status}: ${JSON.stringify(r.body)}`);
        }
        ops++;
      }
    };
    const load = Array.from({ length: CLIENTS }, (_, c) => clientLoop(c));
    await new Promise((r) => setTimeout(r, 12_000));
    const servedBeforeKill = [...served];
    const opsBeforeKill = ops;
    // one worker and one API die (SIGKILL) and stay down
    workers[0]!.kill();
    apis[0]!.service.kill();
    await new Promise((r) => setTimeout(r, 15_000));
    stop = true;
    await Promise.all(load);
    const opsAfterKill = ops - opsBeforeKill;

    // work spread over both APIs, and on after the kill
    assert.ok(servedBeforeKill[0]! > 20 && servedBeforeKill[1]! > 20, `both APIs served: ${servedBeforeKill.join(' / ')}`);
    assert.ok(opsAfterKill > 20, `the survivors carried on: ${opsAfterKill} operations after the kill`);
    // and over both workers: activity and workflow tasks of the endpoint workflows were taken by two identities
    const identities = new Map<string, number>();
    for (const address of addresses.slice(0, 40)) {
      const history = await client.workflow.getHandle(`endpoint/${address}`).fetchHistory();
      for (const e of history.events ?? []) {
        const id = e.activityTaskStartedEventAttributes?.identity ?? e.workflowTaskStartedEventAttributes?.identity;
        if (id) identities.set(id, (identities.get(id) ?? 0) + 1);
      }
    }
    const workerIds = [...identities.keys()].filter((id) => workers.some((w) => id.startsWith(`${w.pid}@`)));
    assert.equal(workerIds.length, 2, `tasks taken by both worker processes: ${JSON.stringify([...identities])}`);

    // invariants
    assert.deepEqual(violations, []);
    for (const [address, c] of held) {
      const row = await db().endpoint.findUniqueOrThrow({ where: { address } });
      assert.deepEqual([row.state, row.accountId], ['ALLOCATED', accounts[c]], `acknowledged allocation of ${address} kept`);
    }
    const breaks = await db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM (
        SELECT h.from_state::text AS from_state, lag(h.to_state::text) OVER w AS prev, h.version - lag(h.version) OVER w AS step
          FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id WHERE e.npa = '303'
        WINDOW w AS (PARTITION BY h.endpoint_id ORDER BY h.version)) x
       WHERE step IS NOT NULL AND (step <> 1 OR prev IS DISTINCT FROM from_state)`;
    assert.equal(breaks[0]!.n, 0, 'every history is one unbroken chain');
    const report = await reconcile({ db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config) });
    assert.deepEqual(
      report.drift.filter((d) => d.address.startsWith('+1303')),
      [],
      'no drift',
    );
    assert.equal((await client.workflow.count('EndpointNpa = "303" AND ExecutionStatus = "Failed"')).count, 0, 'no endpoint workflow of this test failed');
    console.log(
      `      scale-out: ${ops} operations (${opsAfterKill} after the kill), API answers ${served.join(' / ')}, task identities ${JSON.stringify([...identities])}`,
    );
  });
});
