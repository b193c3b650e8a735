// Paths of each workflow type that the other workflow suites do not walk,
// each checked here and, with RECORD_REPLAY=1, recorded for test/replay/:
// endpoint paths, order timeouts and cancellation, the monitor's idle pass
// and the Schedule's tick on the time-skipping server (an order's delivery
// timeout is the real 3 days); the monitor's continue-as-new on a dev server
// of its own that suggests continue-as-new after a few dozen events. All
// against the time-skipping suites' database.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { PidFile, TEMPORAL_BIN, spawnManaged, temporalServing, waitFor as waitUntil } from '../../scripts/lib/stack';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { createGrouping } from '../../src/db/groupings';
import { monitorInput } from '../../src/config';
import { createSimulator, type Simulator } from '../../src/carriers/simulator/simulator';
import type { FailureRates } from '../../src/domain/harness';
import { createWorker } from '../../workers/worker';
import {
  INVENTORY_MONITOR_ID,
  SEARCH_ATTRIBUTE_NAMES,
  allocateUpdate,
  cancelOrderSignal,
  checkNowUpdate,
  endpointWorkflowId,
  inventoryChangedSignal,
  monitorStatusQuery,
  orderProgressQuery,
  orderWorkflowId,
  qualityReportSignal,
  releaseUpdate,
  reserveUpdate,
  retireUpdate,
  stateQuery,
  type EndpointStateName,
  type EndpointStatus,
  type InventoryMonitorInput,
  type OrderProgress,
} from '../../workflows/shared';
import { serve } from '../support/http';
import { recordHistory } from '../support/replay';
import { testConfig, testLog } from '../support/stack';
import { TASK_QUEUE, defaultPolicy, timeskipDb, timeskipEnv, timeskipWorker } from '../support/timeskip';

const DAY = 24 * 3600_000;
const ACCOUNT = 'acct-paths';

/** A fresh time-skipping server and worker for one test. */
async function withTimeskip(fn: (env: TestWorkflowEnvironment) => Promise<void>, rates?: FailureRates): Promise<void> {
  const env = await timeskipEnv();
  try {
    const worker = await timeskipWorker(env, rates);
    await worker.runUntil(() => fn(env));
  } finally {
    await env.teardown();
  }
}

async function poll<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, tries = 300): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what}: still ${JSON.stringify(last)}`);
}

const rowOf = (address: string) => timeskipDb().endpoint.findUniqueOrThrow({ where: { address }, include: { history: { orderBy: { version: 'asc' } } } });

describe('workflow paths recorded for replay', function () {
  this.timeout(120_000);

  before(async () => {
    await timeskipDb().account.upsert({ where: { id: ACCOUNT }, create: { id: ACCOUNT, name: ACCOUNT }, update: {} });
  });

  describe('endpoint lifecycle (time-skipping server)', () => {
    async function ingest(env: TestWorkflowEnvironment, entry: 'quarantine' | 'port-in' = 'quarantine'): Promise<WorkflowHandle> {
      const address = `+1628${String(2_000_000 + Math.floor(Math.random() * 7_999_999))}`;
      const res = await ingestEndpoints({ db: timeskipDb(), client: env.client, taskQueue: TASK_QUEUE, policy: defaultPolicy() }, [{ address }], {
        entry,
        accountId: entry === 'port-in' ? ACCOUNT : undefined,
        actor: 'test',
      });
      assert.equal(res.accepted.length, 1, JSON.stringify(res));
      return env.client.workflow.getHandle(endpointWorkflowId(address));
    }
    const inState = (h: WorkflowHandle, state: EndpointStateName, extra: (s: EndpointStatus) => boolean = () => true) =>
      poll(
        `expected ${state}`,
        () => h.query(stateQuery),
        (s) => s.state === state && extra(s),
      );
    async function available(env: TestWorkflowEnvironment): Promise<WorkflowHandle> {
      const h = await ingest(env);
      await env.sleep(31 * DAY);
      await inState(h, 'AVAILABLE');
      return h;
    }

    it('a ported-in number failing its routing test is rejected and given to no one', () =>
      withTimeskip(
        async (env) => {
          const h = await ingest(env, 'port-in');
          // its test calls never arrive: the waits' timers (HARNESS_TIMEOUT_VOICE) end them
          await env.sleep(5 * 60_000);
          const s = await inState(h, 'REJECTED');
          assert.equal(s.accountId, null);
          const row = await rowOf(s.address);
          assert.equal(row.accountId, null);
          assert.deepEqual(
            row.history.map((e) => e.toState),
            ['PORTING_IN', 'REJECTED'],
          );
          assert.match(row.history.at(-1)!.cause, /^port-in checks failed: routing to the platform failed/);
          await recordHistory(h, 'endpoint-port-in-rejected');
        },
        { voice: { not_delivered: 1 } },
      ));

    it('an allocated number: a good quality report is written, a bad one retests it and it returns to its holder', () =>
      withTimeskip(async (env) => {
        const h = await available(env);
        const held = await h.executeUpdate(allocateUpdate, { args: [{ accountId: ACCOUNT }] });
        await h.signal(qualityReportSignal, { score: 0.9, source: 'carrier' });
        await poll(
          'score written',
          () => rowOf(held.address),
          (r) => r.qualityScore === 0.9,
        );
        assert.equal((await h.query(stateQuery)).state, 'ALLOCATED', 'a good report changes nothing else');
        await h.signal(qualityReportSignal, { score: 0.2, source: 'carrier' });
        const back = await inState(h, 'ALLOCATED', (s) => s.version > held.version + 1);
        assert.equal(back.accountId, ACCOUNT);
        const row = await rowOf(held.address);
        assert.deepEqual(
          row.history.slice(-3).map((e) => e.toState),
          ['ALLOCATED', 'TESTING', 'ALLOCATED'],
        );
        assert.match(row.history.at(-2)!.cause, /quality report 0.20 below 0.5/);
        // the re-test's verdict combines with the report: (0.2 + 4 of 4 tests passed) / 2
        assert.match(row.history.at(-1)!.cause, /^re-test passed \(quality report 0\.20 below 0\.5\); quality 0\.60 \(feedback 0\.20, tests 4\/4\)$/);
        assert.equal(row.qualityScore, 0.6);
        assert.equal(row.accountId, ACCOUNT);
        await recordHistory(h, 'endpoint-allocated-retest');
      }));

    it('a quarantined number retired by an operator: its quarantine timer is cancelled and the workflow completes', () =>
      withTimeskip(async (env) => {
        const h = await ingest(env);
        const s = await h.executeUpdate(retireUpdate, { args: [{ reason: 'number range withdrawn', actor: 'operator:test' }] });
        assert.equal(s.state, 'RETIRED');
        assert.equal(((await h.result()) as EndpointStatus).state, 'RETIRED');
        const row = await rowOf(s.address);
        assert.deepEqual(
          row.history.map((e) => e.toState),
          ['QUARANTINE', 'RETIRED'],
        );
        assert.equal(row.history.at(-1)!.cause, 'retired: number range withdrawn');
        await recordHistory(h, 'endpoint-retired');
      }));

    it('a reservation released by its holder returns the number to available', () =>
      withTimeskip(async (env) => {
        const h = await available(env);
        const now = await env.currentTimeMs();
        await h.executeUpdate(reserveUpdate, { args: [{ accountId: ACCOUNT, until: now + 30 * 60_000 }] });
        const s = await h.executeUpdate(releaseUpdate, { args: [{ accountId: ACCOUNT }] });
        assert.equal(s.state, 'AVAILABLE');
        assert.equal(s.reservedUntil, null);
        const row = await rowOf(s.address);
        assert.equal(row.accountId, null);
        assert.equal(row.history.at(-1)!.cause, 'reservation released');
        await recordHistory(h, 'endpoint-reservation-released');
      }));
  });

  describe('provider orders (time-skipping server + carrier simulator)', () => {
    let sim: Simulator;
    let simServer: Awaited<ReturnType<typeof serve>>;

    before(async () => {
      // the carrier takes orders and never delivers (until the simulator closes)
      sim = createSimulator({
        carriers: [{ id: 'ts-sim', secret: 'secret-ts', deliveryDelayMs: 600_000 }],
        webhookBase: 'http://127.0.0.1:9/v1/carriers',
        trafficUrl: 'http://127.0.0.1:9/v1/traffic',
        seed: 11,
      });
      simServer = await serve(sim.app);
      // these two carriers only: the API one is cheap, the paper one the fallback
      await timeskipDb().provider.updateMany({ where: { id: { notIn: ['ts-sim', 'ts-paper'] } }, data: { active: false } });
      await timeskipDb().provider.upsert({
        where: { id: 'ts-sim' },
        create: {
          id: 'ts-sim',
          name: 'Simulated',
          kind: 'API',
          apiBaseUrl: `${simServer.url}/carriers/ts-sim`,
          webhookSecret: 'secret-ts',
          costPerNumberCents: 10,
          reliabilityScore: 0.9,
        },
        update: { active: true, apiBaseUrl: `${simServer.url}/carriers/ts-sim` },
      });
      await timeskipDb().provider.upsert({
        where: { id: 'ts-paper' },
        create: { id: 'ts-paper', name: 'Paper Telecom', kind: 'MANUAL', costPerNumberCents: 500, reliabilityScore: 0.5 },
        update: { active: true },
      });
    });
    after(async () => {
      sim.close();
      await simServer.close();
    });

    async function order(env: TestWorkflowEnvironment, quantity: number) {
      const row = await timeskipDb().providerOrder.create({
        data: {
          providerId: 'ts-sim',
          direction: 'ACQUIRE',
          idempotencyKey: `test:${randomUUID()}`,
          lines: { create: [{ quantity, npa: '628', country: 'US', tags: ['npa:628'] }] },
        },
      });
      // no deliveryTimeoutMs: the default 3 days, skipped by the test server
      const handle = await env.client.workflow.start('providerOrderWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: orderWorkflowId(row.id),
        args: [{ orderId: row.id, providerId: 'ts-sim', direction: 'ACQUIRE' }],
      });
      return { row, handle };
    }

    it('nothing delivered in 3 days: cancelled at the carrier and re-routed; the re-routed order times out with no provider left and fails', () =>
      withTimeskip(async (env) => {
        const { row, handle } = await order(env, 2);
        const result = (await handle.result()) as OrderProgress;
        assert.equal(result.status, 'CANCELLED');
        assert.equal(result.accepted, 0);
        assert.ok(result.reroutedTo);
        assert.equal(sim.stats().carriers['ts-sim']!.cancels, 1, 'cancelled at the carrier');
        const saved = await timeskipDb().providerOrder.findUniqueOrThrow({ where: { id: row.id } });
        assert.match(saved.failureReason ?? '', /^delivery timed out: 0 of 2 accepted; the rest re-routed to order .* \(ts-paper\)$/);

        const child = env.client.workflow.getHandle(orderWorkflowId(result.reroutedTo));
        const last = (await child.result()) as OrderProgress;
        assert.equal(last.status, 'FAILED');
        assert.equal(last.reroutedTo, null);
        const failed = await timeskipDb().providerOrder.findUniqueOrThrow({ where: { id: result.reroutedTo } });
        assert.equal(failed.providerId, 'ts-paper');
        assert.match(failed.failureReason ?? '', /^delivery timed out: 0 of 2 accepted; no other provider can take the rest$/);
        await recordHistory(handle, 'order-timeout-rerouted');
        await recordHistory(child, 'order-timeout-failed');
      }));

    it('an order cancelled while it waits is cancelled at the carrier and not re-routed', () =>
      withTimeskip(async (env) => {
        const cancels = sim.stats().carriers['ts-sim']!.cancels;
        const { row, handle } = await order(env, 3);
        await poll(
          'submitted',
          () => handle.query(orderProgressQuery),
          (p) => p.status === 'SUBMITTED',
        );
        await handle.signal(cancelOrderSignal, { reason: 'no longer needed' });
        const result = (await handle.result()) as OrderProgress;
        assert.equal(result.status, 'CANCELLED');
        assert.equal(result.reroutedTo, null);
        assert.equal(sim.stats().carriers['ts-sim']!.cancels, cancels + 1);
        const saved = await timeskipDb().providerOrder.findUniqueOrThrow({ where: { id: row.id } });
        assert.equal(saved.status, 'CANCELLED');
        assert.equal(saved.failureReason, 'no longer needed');
        assert.equal(await timeskipDb().providerOrder.count({ where: { parentOrderId: row.id } }), 0);
        await recordHistory(handle, 'order-cancelled');
      }));
  });

  describe('inventory monitor', () => {
    it("the Schedule's tick starts the monitor, which finds nothing to do and answers check-now with an empty report", () =>
      withTimeskip(async (env) => {
        assert.equal(await timeskipDb().classificationGrouping.count(), 0, 'no groupings in this database');
        const tick = await env.client.workflow.start('inventoryTickWorkflow', { taskQueue: TASK_QUEUE, workflowId: 'inventory-monitor-tick', args: [] });
        await tick.result();
        const monitor = env.client.workflow.getHandle(INVENTORY_MONITOR_ID);
        const status = await poll(
          'evaluated',
          () => monitor.query(monitorStatusQuery),
          (s) => s.lastReport !== null,
        );
        assert.equal(status.batchDeadline, null);
        const report = await monitor.executeUpdate(checkNowUpdate);
        assert.deepEqual([report.trigger, report.acquire, report.release, report.batchDeadline], ['operator check-now', [], [], null]);
        assert.deepEqual((await monitor.query(monitorStatusQuery)).ordersStarted, []);
        await recordHistory(tick, 'inventory-tick');
        await recordHistory(monitor, 'inventory-monitor-idle');
      }));

    describe('continue-as-new (a dev server suggesting it after 40 events)', () => {
      const pids = new PidFile(join(__dirname, '..', '..', '.ei', 'test-replay-paths.pids'));
      let server: ReturnType<typeof spawnManaged> | undefined;
      let address: string;
      let groupingId: string | undefined;

      before(async () => {
        pids.killLeftovers();
        const port = await new Promise<number>((resolve) => {
          const probe = createServer().listen(0, '127.0.0.1', () => {
            const { port: p } = probe.address() as AddressInfo;
            probe.close(() => resolve(p));
          });
        });
        address = `127.0.0.1:${port}`;
        const args = [
          'server',
          'start-dev',
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--headless',
          '--log-level',
          'error',
          '--dynamic-config-value',
          'limit.historyCount.suggestContinueAsNew=40',
        ];
        for (const name of SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);
        server = spawnManaged('temporal (continue-as-new)', TEMPORAL_BIN, args);
        pids.add(server);
        await waitUntil(`Temporal on :${port}`, () => temporalServing(port), 60_000, server.exitReason);
        // the order the monitor places goes to the carrier without an API: no HTTP
        await timeskipDb().provider.updateMany({ where: { id: { not: 'ts-paper' } }, data: { active: false } });
        await timeskipDb().provider.upsert({
          where: { id: 'ts-paper' },
          create: { id: 'ts-paper', name: 'Paper Telecom', kind: 'MANUAL', costPerNumberCents: 500, reliabilityScore: 0.5 },
          update: { active: true },
        });
      });
      after(async () => {
        await server?.stop();
        pids.clear();
        // the idle monitor above expects no groupings in this database
        if (groupingId) await timeskipDb().classificationGrouping.delete({ where: { id: groupingId } });
      });

      it('carries a pending batch over continue-as-new: the next run places it at the first deadline, not a new one', async () => {
        const connection = await Connection.connect({ address });
        const native = await NativeConnection.connect({ address });
        const client = new Client({ connection });
        const taskQueue = 'replay-paths';
        const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue });
        const worker = await createWorker({ config, connection: native, db: timeskipDb(), log: testLog, client });
        try {
          await worker.runUntil(async () => {
            groupingId = (
              await createGrouping(timeskipDb(), { name: 'paths npa:979', tags: ['npa:979'], minAvailable: 2, targetAvailable: 3, maxAvailable: 100 })
            ).id;
            const batchWindowMs = 8000;
            const input: InventoryMonitorInput = { ...monitorInput(config), batchWindowMs };
            const monitor = await client.workflow.start('inventoryMonitorWorkflow', { taskQueue, workflowId: INVENTORY_MONITOR_ID, args: [input] });
            const firstRunId = monitor.firstExecutionRunId;
            const first = await poll(
              'first evaluation',
              () => monitor.query(monitorStatusQuery),
              (s) => s.batchDeadline !== null,
            );
            const deadline = first.batchDeadline!;
            assert.deepEqual(
              first.pendingAcquire.map((r) => [r.groupingId, r.quantity]),
              [[groupingId, 3]],
            );
            // inventory-changed signals, each an evaluation, until the server suggests continue-as-new
            let runId = firstRunId;
            for (let i = 0; i < 20 && runId === firstRunId; i++) {
              await monitor.signal(inventoryChangedSignal, { reason: `change ${i}` });
              await poll(
                `evaluation ${i}`,
                async () => {
                  const d = await client.workflow.getHandle(INVENTORY_MONITOR_ID).describe();
                  return { runId: d.runId, trigger: (await monitor.query(monitorStatusQuery)).lastReport?.trigger };
                },
                (s) => s.runId !== firstRunId || s.trigger === `change ${i}`,
              );
              runId = (await client.workflow.getHandle(INVENTORY_MONITOR_ID).describe()).runId;
            }
            assert.notEqual(runId, firstRunId, 'continued as new');
            assert.ok(Date.now() < deadline, 'within the first batching window (make it longer on a slow machine)');

            const firstRun = client.workflow.getHandle(INVENTORY_MONITOR_ID, firstRunId);
            const events = (await firstRun.fetchHistory()).events ?? [];
            assert.ok(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes, 'the first run ended in continue-as-new');

            const latest = client.workflow.getHandle(INVENTORY_MONITOR_ID);
            const placed = await poll(
              'orders placed',
              () => latest.query(monitorStatusQuery),
              (s) => s.ordersStarted.length > 0,
              400,
            );
            assert.equal(placed.ordersStarted.length, 1);
            const orderRow = await timeskipDb().providerOrder.findUniqueOrThrow({ where: { id: placed.ordersStarted[0] }, include: { lines: true } });
            assert.equal(orderRow.providerId, 'ts-paper');
            assert.deepEqual(
              orderRow.lines.map((l) => [l.groupingId, l.quantity]),
              [[groupingId, 3]],
            );
            // placed at the deadline the first run set: continue-as-new did not restart the window
            const at = orderRow.requestedAt.getTime();
            assert.ok(at >= deadline && at < deadline + batchWindowMs, `placed ${at - deadline} ms after the first deadline`);
            await poll(
              'order awaits the operator',
              () => client.workflow.getHandle(orderWorkflowId(orderRow.id)).query(orderProgressQuery),
              (p) => p.status === 'AWAITING_OPERATOR',
            );

            await recordHistory(firstRun, 'inventory-monitor-continue-as-new');
            await recordHistory(latest, 'inventory-monitor-continued');
            await client.workflow.getHandle(orderWorkflowId(orderRow.id)).signal(cancelOrderSignal, { reason: 'test over' });
            await client.workflow.getHandle(orderWorkflowId(orderRow.id)).result();
            await latest.terminate('test over');
          });
        } finally {
          await connection.close();
          await native.close();
        }
      });
    });
  });
});
