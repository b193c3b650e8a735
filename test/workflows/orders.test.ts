// Provider orders end to end against the carrier simulator: the real API
// receives its signed webhooks, the real worker runs the order workflows on
// the dev server, PostgreSQL holds the outcome.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { signWebhook } from '../../src/carriers/webhook';
import { createSimulator, RATE_CENTERS, type Simulator } from '../../src/carriers/simulator/simulator';
import { TemporalGateway } from '../../src/temporal/gateway';
import { createWorker } from '../../workers/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { orderActivities } from '../../activities/orders';
import { inventoryActivities } from '../../activities/inventory';
import { lifecyclePolicy } from '../../src/config';
import { lateDeliveryWorkflowId, orderWorkflowId, type DeliveryInput, type EndpointStateName, type OrderProgress } from '../../workflows/shared';
import { Unavailable } from '../../src/domain/errors';
import { startWorkflowForRow } from '../../src/usecases/reconcile';
import { serve } from '../support/http';
import { recordHistory } from '../support/replay';
import { SHARED_TASK_QUEUE, apiKey, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

// endpoint workflows started here stay open: the final reconciliation's worker serves this queue
const ORDER_TASK_QUEUE = SHARED_TASK_QUEUE;

describe('provider orders against the carrier simulator', function () {
  this.timeout(240_000); // a busy machine starts child workers slowly
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let api: Awaited<ReturnType<typeof serve>>;
  let simServer: Awaited<ReturnType<typeof serve>>;
  let sim: Simulator;
  let gateway: TemporalGateway;
  // real area codes: the simulator's numbers must be valid for libphonenumber
  const AREAS = ['415', '628', '510', '650', '408', '206', '303', '617', '213', '305'];
  let nextArea = 0;
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: ORDER_TASK_QUEUE, ORDER_DELIVERY_TIMEOUT: '20s', CARRIER_HTTP_TIMEOUT: '2s' });

  async function startWorker(): Promise<void> {
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
  }

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
    api = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: config() }));
    sim = createSimulator({
      carriers: [
        { id: 'carrier-a', secret: 'secret-a', deliveryDelayMs: 100 },
        { id: 'carrier-b', secret: 'secret-b', deliveryDelayMs: 100 },
      ],
      webhookBase: `${api.url}/v1/carriers`,
      trafficUrl: `${api.url}/v1/traffic`,
      seed: 7,
    });
    simServer = await serve(sim.app);
    await db().provider.updateMany({ data: { active: false } });
    for (const [id, secret, cost] of [
      ['carrier-a', 'secret-a', 10],
      ['carrier-b', 'secret-b', 50],
    ] as const) {
      await db().provider.upsert({
        where: { id },
        create: {
          id,
          name: id,
          kind: 'API',
          apiBaseUrl: `${simServer.url}/carriers/${id}`,
          webhookSecret: secret,
          costPerNumberCents: cost,
          reliabilityScore: 0.9,
        },
        update: { active: true, apiBaseUrl: `${simServer.url}/carriers/${id}`, webhookSecret: secret },
      });
    }
    // paper is slow and dear: the last choice for re-routing
    await db().provider.upsert({
      where: { id: 'carrier-paper' },
      create: { id: 'carrier-paper', name: 'Paper Telecom', kind: 'MANUAL', costPerNumberCents: 500, reliabilityScore: 0.5 },
      update: { active: true },
    });
    await startWorker();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    sim.close();
    await simServer.close();
    await api.close();
    await gateway.close();
    await connection.close();
    await native.close();
  });
  beforeEach(() => {
    for (const c of ['carrier-a', 'carrier-b'])
      sim.configure(c, {
        genericPoolRate: 0,
        partialFillRate: 0,
        down: false,
        duplicateWebhookRate: 0,
        deliveryDelayMs: 100,
        cancelDelayMs: 0,
        refuseReturns: false,
        refuseReleases: false,
        refuseCancellations: false,
      });
  });

  /** An order of `quantity` numbers in a fresh area code, started like the monitor starts one. */
  async function order(providerId: string, quantity: number, opts: { start?: boolean; deliveryTimeoutMs?: number } = {}) {
    const area = AREAS[nextArea++ % AREAS.length]!;
    const row = await db().providerOrder.create({
      data: {
        providerId,
        direction: 'ACQUIRE',
        idempotencyKey: `test:${randomUUID()}`,
        lines: { create: [{ quantity, npa: area, country: 'US', tags: [`npa:${area}`] }] },
      },
    });
    const handle =
      opts.start === false
        ? undefined
        : await client.workflow.start('providerOrderWorkflow', {
            taskQueue: ORDER_TASK_QUEUE,
            workflowId: orderWorkflowId(row.id),
            args: [{ orderId: row.id, providerId, direction: 'ACQUIRE', deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 20_000 }],
          });
    return { row, area, handle };
  }

  const endpointsOf = (orderId: string) => db().endpoint.findMany({ where: { orderId } });
  const rerouted = (orderId: string) => db().providerOrder.findFirst({ where: { parentOrderId: orderId } });
  async function resultOf(orderId: string): Promise<OrderProgress> {
    return client.workflow.getHandle<() => Promise<OrderProgress>>(orderWorkflowId(orderId)).result();
  }

  it('the happy path: submitted once, delivered by a signed webhook, each number in quarantine with its workflow', async () => {
    const { row, area } = await order('carrier-a', 3);
    const result = await resultOf(row.id);
    assert.equal(
      result.status,
      'DELIVERED',
      JSON.stringify({ result, order: await db().providerOrder.findUnique({ where: { id: row.id }, include: { deliveries: true } }) }, (_k, v: unknown) =>
        typeof v === 'bigint' ? String(v) : v,
      ),
    );
    assert.equal(result.accepted, 3);
    const eps = await endpointsOf(row.id);
    assert.equal(eps.length, 3);
    assert.ok(eps.every((e) => e.state === 'QUARANTINE' && e.npa === area && e.providerId === 'carrier-a'));
    // the place: from the geo data, and the rate center and LATA the carrier's webhook gave
    const told = RATE_CENTERS[area];
    assert.ok(told, `the simulator names the rate center of ${area}`);
    for (const e of eps) {
      assert.deepEqual([e.rateCenter, e.lata], [told.rateCenter, told.lata], e.address);
      assert.ok(e.region?.startsWith('us-') && e.classifierTags.includes(`region:${e.region}`), `${e.address}: ${e.region}`);
    }
    for (const e of eps) assert.equal((await client.workflow.getHandle(`endpoint/${e.address}`).describe()).status.name, 'RUNNING');
    assert.equal(sim.stats().carriers['carrier-a']!.submissions[row.idempotencyKey], 1);
    const saved = await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } });
    assert.equal(saved.status, 'DELIVERED');
    assert.ok(saved.carrierReference?.startsWith('SIM-'));
    await recordHistory(client.workflow.getHandle(orderWorkflowId(row.id)), 'order-delivered');
  });

  it('wrong numbers are returned with a reason and the shortfall re-ordered from the next provider', async () => {
    sim.configure('carrier-a', { genericPoolRate: 1 });
    const { row, area } = await order('carrier-a', 2);
    const result = await resultOf(row.id);
    assert.equal(result.accepted, 0);
    assert.ok(result.reroutedTo);
    const returns = sim.stats().carriers['carrier-a']!.returns.slice(-2);
    assert.equal(returns.length, 2);
    assert.ok(
      returns.every((r) => /MISMATCH_RETURNED: area code \d+, ordered/.test(r.reason)),
      JSON.stringify(returns),
    );
    const next = await resultOf(result.reroutedTo);
    assert.equal(next.status, 'DELIVERED');
    assert.equal(
      (await endpointsOf(result.reroutedTo)).every((e) => e.npa === area && e.providerId === 'carrier-b'),
      true,
    );
    await recordHistory(client.workflow.getHandle(orderWorkflowId(row.id)), 'order-mismatch-rerouted');
    const outcomes = await db().deliveredNumber.groupBy({ by: ['outcome'], where: { orderId: row.id }, _count: true });
    assert.deepEqual(
      outcomes.map((o) => [o.outcome, o._count]),
      [['MISMATCH_RETURNED', 2]],
    );
  });

  it('a partial fill is completed by the next provider', async () => {
    sim.configure('carrier-a', { partialFillRate: 1 });
    const { row } = await order('carrier-a', 4);
    const result = await resultOf(row.id);
    assert.equal(result.accepted, 2);
    const next = await resultOf(result.reroutedTo!);
    assert.equal(next.accepted, 2);
    assert.equal((await endpointsOf(row.id)).length + (await endpointsOf(result.reroutedTo!)).length, 4);
    assert.match((await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } })).failureReason ?? '', /2 of 4 accepted; the rest re-routed/);
    await recordHistory(client.workflow.getHandle(orderWorkflowId(row.id)), 'order-partial-rerouted');
  });

  it('a carrier that is down is retried, then the order goes to the next provider', async () => {
    sim.configure('carrier-a', { down: true });
    const { row } = await order('carrier-a', 2);
    const result = await resultOf(row.id);
    assert.ok(sim.stats().carriers['carrier-a']!.submissions[row.idempotencyKey]! >= 2, 'retried');
    const next = await rerouted(row.id);
    assert.equal(next?.providerId, 'carrier-b');
    assert.equal((await resultOf(result.reroutedTo!)).status, 'DELIVERED');
    const saved = await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } });
    assert.match(saved.failureReason ?? '', /submission failed/);
    await recordHistory(client.workflow.getHandle(orderWorkflowId(row.id)), 'order-carrier-down');
  });

  it('duplicate webhooks change nothing', async () => {
    sim.configure('carrier-a', { duplicateWebhookRate: 1 });
    const { row } = await order('carrier-a', 3);
    await resultOf(row.id);
    await sim.flush();
    assert.ok(sim.stats().carriers['carrier-a']!.webhooksSent >= 2);
    assert.equal((await endpointsOf(row.id)).length, 3);
    assert.equal(await db().deliveredNumber.count({ where: { orderId: row.id } }), 3);
  });

  it('forged or stale webhooks are refused and change nothing', async () => {
    sim.configure('carrier-a', { deliveryDelayMs: 60_000 }); // the carrier itself stays quiet
    const { row } = await order('carrier-a', 1);
    const body = JSON.stringify({ carrierOrderId: 'X', idempotencyKey: row.idempotencyKey, lines: [{ lineId: 'x', numbers: ['+14155550199'] }], final: true });
    const send = (ts: number, signature: string) =>
      fetch(`${api.url}/v1/carriers/carrier-a/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-carrier-timestamp': String(ts), 'x-carrier-signature': signature },
        body,
      });
    const now = Math.floor(Date.now() / 1000);
    const forged = await send(now, signWebhook('not-the-secret', now, body));
    assert.equal(forged.status, 401);
    assert.match(((await forged.json()) as { detail: string }).detail, /signature mismatch/);
    const stale = await send(now - 3600, signWebhook('secret-a', now - 3600, body));
    assert.equal(stale.status, 401);
    assert.match(((await stale.json()) as { detail: string }).detail, /stale timestamp/);
    assert.equal(await db().deliveredNumber.count({ where: { orderId: row.id } }), 0);
    // and the same signed webhook twice: taken once
    const good = signWebhook('secret-a', now, body);
    assert.equal(((await (await send(now, good)).json()) as { status: string }).status, 'accepted');
    assert.equal(((await (await send(now, good)).json()) as { status: string }).status, 'duplicate');
    await client.workflow.getHandle(orderWorkflowId(row.id)).signal('cancelOrder', { reason: 'test over' });
    await resultOf(row.id);
  });

  /** A signed webhook (timestamp and signature fixed, so it can be sent again byte for byte) for the order's first line. */
  async function signedWebhook(row: { idempotencyKey: string; id: string }, numbers: string[], final = true) {
    const line = await db().orderLine.findFirstOrThrow({ where: { orderId: row.id } });
    const body = JSON.stringify({
      carrierOrderId: 'X',
      idempotencyKey: row.idempotencyKey,
      lines: [{ lineId: line.id, numbers }],
      final,
      sentAt: new Date().toISOString(),
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signWebhook('secret-a', timestamp, body);
    const send = async (baseUrl: string, sig = signature) => {
      const res = await fetch(`${baseUrl}/v1/carriers/carrier-a/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-carrier-timestamp': String(timestamp), 'x-carrier-signature': sig },
        body,
      });
      return { status: res.status, body: (await res.json()) as { status?: string; code?: string } };
    };
    return { signature, send };
  }

  it('a webhook answered 503 (Temporal unavailable for the hand-over) is taken when the carrier re-sends the same bytes: its numbers recorded exactly once', async () => {
    sim.configure('carrier-a', { deliveryDelayMs: 60_000 }); // the carrier itself stays quiet
    const { row, area } = await order('carrier-a', 2);
    // an API whose first hand-over to an order's workflow finds Temporal away
    const lossy = new TemporalGateway(stack().temporalAddress, 'default', 2000, ORDER_TASK_QUEUE);
    let outages = 1;
    const realOrder = lossy.order.bind(lossy);
    lossy.order = (orderId: string) => {
      const handle = realOrder(orderId);
      return Object.assign(Object.create(handle) as typeof handle, {
        deliver: async (delivery: DeliveryInput) => {
          if (outages-- > 0) throw new Unavailable('Temporal is unavailable; retry shortly (test)', 5, 'temporal');
          return handle.deliver(delivery);
        },
      });
    };
    const flaky = await serve(buildApp({ db: db(), temporal: lossy, log: testLog, config: config() }));
    try {
      const numbers = [`+1${area}5678901`, `+1${area}5678902`];
      const hook = await signedWebhook(row, numbers);
      const first = await hook.send(flaky.url);
      assert.deepEqual([first.status, first.body.code], [503, 'unavailable'], JSON.stringify(first));
      // the carrier retries with the very same bytes and headers
      const again = await hook.send(flaky.url);
      assert.deepEqual([again.status, again.body], [202, { status: 'accepted' }], 'the re-sent webhook is taken, not called a duplicate');
      const result = await resultOf(row.id);
      assert.deepEqual([result.status, result.accepted], ['DELIVERED', 2], JSON.stringify(result));
      assert.deepEqual((await endpointsOf(row.id)).map((e) => e.address).sort(), numbers);
      // once taken, the same bytes again are a duplicate and change nothing
      const third = await hook.send(flaky.url);
      assert.deepEqual([third.status, third.body], [202, { status: 'duplicate' }]);
      const outcomes = await db().deliveredNumber.findMany({ where: { orderId: row.id }, orderBy: { address: 'asc' } });
      assert.deepEqual(
        outcomes.map((o) => [o.address, o.outcome]),
        numbers.map((n) => [n, 'ACCEPTED']),
        'each number recorded exactly once',
      );
    } finally {
      await flaky.close();
      await lossy.close();
    }
  });

  it('a signature is taken once whatever the case of its hex: the same one in upper case is a duplicate', async () => {
    sim.configure('carrier-a', { deliveryDelayMs: 60_000 });
    const { row, area } = await order('carrier-a', 1);
    const hook = await signedWebhook(row, [`+1${area}6789012`]);
    assert.deepEqual((await hook.send(api.url)).body, { status: 'accepted' });
    const hex = hook.signature.slice('sha256='.length);
    for (const spelling of [`sha256=${hex.toUpperCase()}`, `SHA256=${hex.toUpperCase()}`, `SHA256=${hex}`]) {
      const res = await hook.send(api.url, spelling);
      assert.deepEqual([res.status, res.body], [202, { status: 'duplicate' }], spelling);
    }
    assert.equal((await resultOf(row.id)).status, 'DELIVERED');
    assert.equal(await db().deliveredNumber.count({ where: { orderId: row.id } }), 1);
    assert.equal(
      await db().webhookReceipt.count({ where: { signature: { in: [hook.signature, `sha256=${hex.toUpperCase()}`] } } }),
      1,
      'one receipt, under the canonical spelling',
    );
  });

  /** A webhook signed as carrier-a's: its numbers for the order's first line. */
  async function webhookFor(row: { id: string; idempotencyKey: string }, numbers: string[]) {
    const line = await db().orderLine.findFirstOrThrow({ where: { orderId: row.id } });
    const body = JSON.stringify({
      carrierOrderId: 'late',
      idempotencyKey: row.idempotencyKey,
      lines: [{ lineId: line.id, numbers }],
      final: false,
      sentAt: new Date().toISOString(),
    });
    const now = Math.floor(Date.now() / 1000);
    const res = await fetch(`${api.url}/v1/carriers/carrier-a/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-carrier-timestamp': String(now), 'x-carrier-signature': signWebhook('secret-a', now, body) },
      body,
    });
    assert.equal(res.status, 202);
    return ((await res.json()) as { status: string }).status;
  }

  it('a delivery that arrives while the order is being cancelled at the carrier still counts for it (nothing dropped, nothing re-ordered)', async () => {
    // the carrier is quiet until the order times out, then slow to confirm the cancellation:
    // its delivery comes in meanwhile (found by the fault suite: such numbers had no outcome)
    sim.configure('carrier-a', { deliveryDelayMs: 60_000, cancelDelayMs: 1500 });
    const before = sim.stats().carriers['carrier-a']!.cancels;
    const { row, area } = await order('carrier-a', 2, { deliveryTimeoutMs: 1000 });
    const deadline = Date.now() + 60_000;
    while (sim.stats().carriers['carrier-a']!.cancels === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.ok(sim.stats().carriers['carrier-a']!.cancels > before, 'the order asked the carrier to cancel');
    assert.equal(await webhookFor(row, [`+1${area}3456701`, `+1${area}3456702`]), 'accepted');
    const result = await resultOf(row.id);
    assert.equal(result.status, 'DELIVERED', JSON.stringify(result));
    assert.equal(result.accepted, 2);
    assert.equal(result.reroutedTo, null);
    assert.equal(await rerouted(row.id), null);
    assert.deepEqual((await endpointsOf(row.id)).map((e) => e.address).sort(), [`+1${area}3456701`, `+1${area}3456702`]);
    await recordHistory(client.workflow.getHandle(orderWorkflowId(row.id)), 'order-delivered-while-cancelling');
  });

  it('a delivery after the order closed is recorded RETURNED with the reason and handed back to the carrier', async () => {
    sim.configure('carrier-a', { deliveryDelayMs: 60_000 });
    const { row, area } = await order('carrier-a', 2);
    await client.workflow.getHandle(orderWorkflowId(row.id)).signal('cancelOrder', { reason: 'test: no longer needed' });
    assert.equal((await resultOf(row.id)).status, 'CANCELLED');
    const numbers = [`+1${area}4567801`, `+1${area}4567802`];
    assert.equal(await webhookFor(row, numbers), 'late');
    const late = await client.workflow.getHandle<() => Promise<OrderProgress>>(lateDeliveryWorkflowId(row.id)).result();
    assert.equal(late.status, 'LATE_DELIVERY_RETURNED');
    const outcomes = await db().deliveredNumber.findMany({ where: { orderId: row.id }, orderBy: { address: 'asc' } });
    assert.deepEqual(
      outcomes.map((o) => [o.address, o.outcome]),
      numbers.map((n) => [n, 'RETURNED']),
    );
    assert.ok(
      outcomes.every((o) => /delivered after the order stopped taking numbers \(CANCELLED at /.test(o.reason ?? '')),
      JSON.stringify(outcomes.map((o) => o.reason)),
    );
    assert.equal((await endpointsOf(row.id)).length, 0);
    const returned = sim.stats().carriers['carrier-a']!.returns.filter((r) => numbers.includes(r.address));
    assert.equal(returned.length, 2);
    assert.match(returned[0]!.reason, /RETURNED: delivered after the order stopped taking numbers/);
    // the line's counters are the order's: a late number does not count against it
    const line = await db().orderLine.findFirstOrThrow({ where: { orderId: row.id } });
    assert.deepEqual([line.delivered, line.accepted, line.rejected], [0, 0, 0]);
    // the same numbers again (a carrier's retry): nothing new
    assert.equal(await webhookFor(row, numbers), 'late');
    await client.workflow.getHandle(lateDeliveryWorkflowId(row.id)).result();
    assert.equal(await db().deliveredNumber.count({ where: { orderId: row.id } }), 2);
    await recordHistory(client.workflow.getHandle(lateDeliveryWorkflowId(row.id)), 'order-late-returned');
  });

  it('a cancellation the carrier refuses (it knows no such order) is taken as nothing left to cancel, not retried forever', async () => {
    // seen in the demo: a simulator restarted under a kept Temporal state forgot its orders, and
    // the order's cancelAtCarrier retried its 404 every minute
    const row = await db().providerOrder.create({
      data: {
        providerId: 'carrier-a',
        direction: 'ACQUIRE',
        idempotencyKey: `test:${randomUUID()}`,
        status: 'SUBMITTED',
        carrierReference: 'SIM-carrier-a-999999',
      },
    });
    const acts = orderActivities({
      db: db(),
      taskQueue: ORDER_TASK_QUEUE,
      policy: lifecyclePolicy(config()),
      formsDir: '.ei/order-forms',
      http: { timeoutMs: 2000 },
    });
    const cancelAtCarrier = (input: { orderId: string }) => acts.cancelAtCarrier(input);
    const before = sim.stats().carriers['carrier-a']!.cancels;
    await new MockActivityEnvironment().run(cancelAtCarrier, { orderId: row.id });
    assert.equal(sim.stats().carriers['carrier-a']!.cancels, before, 'the simulator counts only cancellations of orders it knows');
    // noted on the order, like a refused return or release
    const noted = (await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } })).carrierRefusals;
    assert.equal(noted.length, 1, JSON.stringify(noted));
    assert.match(noted[0]!, /^cancellation of SIM-carrier-a-999999 \(taken as nothing left to cancel\): carrier refused the request \(404\)/);
    // a carrier that cannot be reached is still retried (the activity fails, Temporal retries it)
    await db().provider.update({ where: { id: 'carrier-a' }, data: { apiBaseUrl: 'http://127.0.0.1:1/nowhere' } });
    try {
      await assert.rejects(new MockActivityEnvironment().run(cancelAtCarrier, { orderId: row.id }));
    } finally {
      await db().provider.update({ where: { id: 'carrier-a' }, data: { apiBaseUrl: `${simServer.url}/carriers/carrier-a` } });
    }
  });

  /** The order's result, or a failure naming it wedged (its workflow is terminated so the suite goes on). */
  async function closesWithin(orderId: string, ms = 45_000): Promise<OrderProgress> {
    let timer: NodeJS.Timeout | undefined;
    const wedged = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`order ${orderId} still open after ${ms / 1000} s: wedged`)), ms);
    });
    try {
      return await Promise.race([resultOf(orderId), wedged]);
    } catch (err) {
      await client.workflow
        .getHandle(orderWorkflowId(orderId))
        .terminate('test: wedged')
        .catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  it('a return the carrier refuses (4xx) ends that step with its reason on the order; the order closes, not wedged retrying', async () => {
    sim.configure('carrier-a', { genericPoolRate: 1, refuseReturns: true });
    const refusedBefore = sim.stats().carriers['carrier-a']!.refusals;
    const { row } = await order('carrier-a', 2);
    const result = await closesWithin(row.id);
    assert.equal(result.accepted, 0);
    assert.ok(sim.stats().carriers['carrier-a']!.refusals > refusedBefore, 'the carrier refused the return');
    const saved = await db().providerOrder.findUniqueOrThrow({ where: { id: row.id }, include: { deliveries: true } });
    assert.ok(saved.completedAt && ['CANCELLED', 'FAILED', 'DELIVERED'].includes(saved.status), `closed: ${saved.status}`);
    const wrong = saved.deliveries.map((d) => d.address).sort();
    assert.deepEqual(
      saved.deliveries.map((d) => d.outcome),
      ['MISMATCH_RETURNED', 'MISMATCH_RETURNED'],
    );
    assert.equal(saved.carrierRefusals.length, 1, JSON.stringify(saved.carrierRefusals));
    assert.match(saved.carrierRefusals[0]!, /^return of \+1\d{10}, \+1\d{10}: carrier refused the request \(422\): .*returns not accepted/);
    for (const address of wrong) assert.ok(saved.carrierRefusals[0]!.includes(address), `the refusal names ${address}`);
    assert.equal(sim.stats().carriers['carrier-a']!.returns.filter((r) => wrong.includes(r.address)).length, 0);
    // what is missing still goes to the next provider
    assert.ok(result.reroutedTo);
    assert.equal((await closesWithin(result.reroutedTo)).status, 'DELIVERED');
  });

  it('a refused return is noted once however often the activity runs, with an operator alert naming the order and the reason', async () => {
    sim.configure('carrier-a', { refuseReturns: true });
    const row = await db().providerOrder.create({
      data: {
        providerId: 'carrier-a',
        direction: 'ACQUIRE',
        idempotencyKey: `test:${randomUUID()}`,
        status: 'SUBMITTED',
        carrierReference: 'SIM-carrier-a-999998',
      },
    });
    const alerts: LogEntry[] = [];
    const logger = new DefaultLogger('WARN', (entry) => alerts.push(entry));
    const acts = orderActivities({
      db: db(),
      taskQueue: ORDER_TASK_QUEUE,
      policy: lifecyclePolicy(config()),
      formsDir: '.ei/order-forms',
      http: { timeoutMs: 2000 },
    });
    const numbers = [{ address: '+14155550177', reason: 'MISMATCH_RETURNED: area code 415, ordered 628' }];
    for (let run = 0; run < 2; run++)
      await new MockActivityEnvironment(undefined, { logger }).run((input: Parameters<typeof acts.returnToCarrier>[0]) => acts.returnToCarrier(input), {
        orderId: row.id,
        numbers,
      });
    const saved = await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } });
    assert.equal(saved.carrierRefusals.length, 1, JSON.stringify(saved.carrierRefusals));
    assert.match(saved.carrierRefusals[0]!, /^return of \+14155550177: carrier refused the request \(422\)/);
    const alert = alerts.find((a) => /operator alert/.test(a.message));
    assert.ok(alert, JSON.stringify(alerts.map((a) => a.message)));
    assert.equal(alert.level, 'WARN');
    assert.match(alert.message, new RegExp(row.id));
    const meta: Record<string, unknown> = alert.meta ?? {};
    assert.equal(meta.orderId, row.id);
    assert.match(String(meta.reason), /carrier refused the request \(422\)/);
  });

  it('a release the carrier refuses (4xx) closes the release order FAILED with the carrier’s reason; its endpoints stay ours', async () => {
    sim.configure('carrier-a', { refuseReleases: true });
    const area = AREAS[nextArea++ % AREAS.length]!;
    const addresses = [`+1${area}7890101`, `+1${area}7890102`];
    // on the shelf: a short quarantine, then their tests
    const policy = lifecyclePolicy(testConfig({ QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s' }));
    await ingestEndpoints(
      { db: db(), client, taskQueue: ORDER_TASK_QUEUE, policy },
      addresses.map((address) => ({ address, capable: { voice: true, sms: true } })),
      { entry: 'quarantine', providerId: 'carrier-a', actor: 'test' },
    );
    const available = () => db().endpoint.count({ where: { address: { in: addresses }, state: 'AVAILABLE' } });
    for (const end = Date.now() + 60_000; (await available()) < 2 && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await available(), 2);
    const eps = await db().endpoint.findMany({ where: { address: { in: addresses } } });
    const row = await db().providerOrder.create({
      data: {
        providerId: 'carrier-a',
        direction: 'RELEASE',
        idempotencyKey: `test:${randomUUID()}`,
        lines: { create: [{ quantity: 2, tags: [], endpointIds: eps.map((e) => e.id) }] },
      },
    });
    await client.workflow.start('providerOrderWorkflow', {
      taskQueue: ORDER_TASK_QUEUE,
      workflowId: orderWorkflowId(row.id),
      args: [{ orderId: row.id, providerId: 'carrier-a', direction: 'RELEASE' }],
    });
    const result = await closesWithin(row.id);
    assert.equal(result.status, 'FAILED');
    const saved = await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } });
    assert.equal(saved.status, 'FAILED');
    assert.ok(saved.completedAt);
    assert.match(saved.failureReason ?? '', /^release of 2 endpoints: carrier refused the request \(422\): .*releases not accepted/);
    assert.deepEqual(saved.carrierRefusals, [saved.failureReason]);
    assert.equal(sim.stats().carriers['carrier-a']!.releases.filter((a) => addresses.includes(a)).length, 0);
    const after = await db().endpoint.findMany({ where: { address: { in: addresses } } });
    assert.deepEqual(
      after.map((e) => e.state),
      ['AVAILABLE', 'AVAILABLE'],
      'not released at the carrier: still on the shelf',
    );
  });

  it("a carrier without an API: its order form is generated and the operator's entry completes the order", async () => {
    const { row, area } = await order('carrier-paper', 2);
    for (let i = 0; i < 100 && (await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } })).status !== 'AWAITING_OPERATOR'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const auth = { authorization: `Bearer ${await apiKey('OPERATOR')}` };
    const csv = await (await fetch(`${api.url}/v1/orders/${row.id}/form.csv`, { headers: auth })).text();
    assert.match(csv, new RegExp(`${row.id},${row.idempotencyKey},[0-9a-f-]+,2,US,${area}`));
    const html = await (await fetch(`${api.url}/v1/orders/${row.id}/form.html`, { headers: auth })).text();
    assert.match(html, /Paper Telecom/);
    const entry = await fetch(`${api.url}/v1/orders/${row.id}/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        numbers: [`+1${area}2345678`, `+1${area}2345679`],
        final: true,
        places: [{ number: `+1${area}2345678`, rateCenter: 'PAPER RC', lata: '999' }],
      }),
    });
    assert.equal(entry.status, 202);
    const result = await resultOf(row.id);
    assert.equal(result.status, 'DELIVERED');
    const entered = await endpointsOf(row.id);
    assert.equal(entered.length, 2);
    // the paperwork's rate center and LATA, where it gave them
    assert.deepEqual(entered.map((e) => [e.address, e.rateCenter, e.lata]).sort(), [
      [`+1${area}2345678`, 'PAPER RC', '999'],
      [`+1${area}2345679`, null, null],
    ]);
    await recordHistory(client.workflow.getHandle(orderWorkflowId(row.id)), 'order-operator-entry');
  });

  /** Endpoints of `providerId` in `state`, each with its lifecycle workflow (as reconciliation starts one from its row). */
  async function onShelf(providerId: string, state: EndpointStateName, n: number): Promise<{ id: string; address: string; npa: string }[]> {
    const area = AREAS[nextArea++ % AREAS.length]!;
    const base = 7_000_000 + Math.floor(Math.random() * 2_000_000);
    const made: { id: string; address: string; npa: string }[] = [];
    for (let i = 0; i < n; i++) {
      const row = await db().endpoint.create({
        data: {
          address: `+1${area}${base + i}`,
          kind: 'FIXED_LINE_OR_MOBILE',
          state,
          version: 3,
          providerId,
          country: 'US',
          npa: area,
          smsCapable: true,
          smsEnabled: state === 'AVAILABLE',
          classifierTags: ['cap:sms', 'country:us', `npa:${area}`],
        },
      });
      await startWorkflowForRow(TemporalGateway.fromClient(client, ORDER_TASK_QUEUE), row, lifecyclePolicy(config()), []);
      made.push({ id: row.id, address: row.address, npa: area });
    }
    return made;
  }

  /** A release order of these endpoints, planned as the monitor plans one (not started). */
  const releaseOrder = (providerId: string, endpoints: { id: string }[]) =>
    db().providerOrder.create({
      data: {
        providerId,
        direction: 'RELEASE',
        idempotencyKey: `test:${randomUUID()}`,
        lines: { create: [{ quantity: endpoints.length, endpointIds: endpoints.map((e) => e.id), tags: [] }] },
      },
    });
  const startRelease = (row: { id: string; providerId: string }) =>
    client.workflow.start('providerOrderWorkflow', {
      taskQueue: ORDER_TASK_QUEUE,
      workflowId: orderWorkflowId(row.id),
      args: [{ orderId: row.id, providerId: row.providerId, direction: 'RELEASE' }],
    });
  const stateOf = async (address: string) => db().endpoint.findUniqueOrThrow({ where: { address }, select: { state: true, accountId: true } });

  it('a release order never hands back a number an account holds: allocations before and while it runs are kept, only endpoints that left the shelf are released and retired', async () => {
    const ACCOUNT = 'acct-release-race';
    await db().account.upsert({ where: { id: ACCOUNT }, create: { id: ACCOUNT, name: ACCOUNT }, update: {} });
    const eps = await onShelf('carrier-a', 'AVAILABLE', 8);
    const row = await releaseOrder('carrier-a', eps);
    // after the order was planned and before it runs: one allocated, one reserved
    await gateway.endpoint(eps[0]!.address).allocate({ accountId: ACCOUNT }, `test:${randomUUID()}`);
    await gateway.endpoint(eps[1]!.address).reserve({ accountId: ACCOUNT, until: Date.now() + 10 * 60_000 }, `test:${randomUUID()}`);
    const releasesBefore = sim.stats().carriers['carrier-a']!.releases.length;
    await startRelease(row);
    // and the rest raced by allocations while it runs (from the moment it takes the first one off
    // the shelf): each either wins (kept) or is refused (released)
    const rest = eps.slice(2).map((e) => e.id);
    for (let i = 0; i < 400; i++) {
      const moved = await db().endpoint.count({ where: { id: { in: rest }, state: { not: 'AVAILABLE' } } });
      if (moved > 0 || (await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } })).status !== 'PENDING') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const raced = await Promise.allSettled(eps.slice(2).map((e) => gateway.endpoint(e.address).allocate({ accountId: ACCOUNT }, `test:${randomUUID()}`)));
    const result = await resultOf(row.id);
    assert.equal(result.status, 'DELIVERED');
    const released = new Set(sim.stats().carriers['carrier-a']!.releases.slice(releasesBefore));
    const states = new Map(await Promise.all(eps.map(async (e) => [e.address, await stateOf(e.address)] as const)));
    const held = eps.filter((e) => states.get(e.address)!.accountId !== null).map((e) => e.address);
    assert.ok(held.includes(eps[0]!.address) && held.includes(eps[1]!.address), JSON.stringify([...states]));
    for (const address of held)
      assert.ok(
        !released.has(address),
        `the carrier was asked to release ${address}, which ${states.get(address)!.accountId} holds (${states.get(address)!.state})`,
      );
    assert.deepEqual(states.get(eps[0]!.address), { state: 'ALLOCATED', accountId: ACCOUNT });
    assert.deepEqual(states.get(eps[1]!.address), { state: 'RESERVED', accountId: ACCOUNT });
    // what lost its race was released at the carrier and retired; what won is held
    for (const [i, e] of eps.slice(2).entries()) {
      const s = states.get(e.address)!;
      if (raced[i]!.status === 'fulfilled') assert.deepEqual(s, { state: 'ALLOCATED', accountId: ACCOUNT });
      else assert.equal(s.state, 'RETIRED', e.address);
    }
    assert.deepEqual(
      [...released].sort(),
      eps
        .filter((e) => states.get(e.address)!.state === 'RETIRED')
        .map((e) => e.address)
        .sort(),
    );
    assert.ok(
      raced.some((r) => r.status === 'rejected'),
      'the race was run: at least one allocation came too late',
    );
    await recordHistory(client.workflow.getHandle(orderWorkflowId(row.id)), 'order-release-leaves-shelf');
    const retired = eps.find((e) => states.get(e.address)!.state === 'RETIRED');
    if (retired) await recordHistory(client.workflow.getHandle(`endpoint/${retired.address}`), 'endpoint-leaves-shelf-retired');
  });

  it("a REJECTED number goes back to its carrier by itself: the monitor's pass asks for its return, a release order hands it back and it ends RETURNED", async () => {
    const [rejected] = await onShelf('carrier-a', 'REJECTED', 1);
    const acts = inventoryActivities({ db: db() });
    const evaluated = await acts.evaluateInventory({ windowMs: 3_600_000 });
    const ask = evaluated.release.find((r) => r.rejected);
    assert.ok(ask && ask.quantity >= 1, `the pass asks for no return of REJECTED numbers: ${JSON.stringify(evaluated.release)}`);
    // planned as the monitor plans it; narrowed to this number's area (other suites' rejected numbers stay where they are)
    const planned = await acts.planReleaseOrders({ batchId: randomUUID(), requests: [{ ...ask, tags: [`npa:${rejected!.npa}`] }] });
    assert.deepEqual(
      planned.map((p) => [p.providerId, p.direction, p.total]),
      [['carrier-a', 'RELEASE', 1]],
    );
    const releasesBefore = sim.stats().carriers['carrier-a']!.releases.length;
    await startRelease({ id: planned[0]!.orderId, providerId: 'carrier-a' });
    assert.equal((await resultOf(planned[0]!.orderId)).status, 'DELIVERED');
    assert.deepEqual(sim.stats().carriers['carrier-a']!.releases.slice(releasesBefore), [rejected!.address]);
    assert.equal((await stateOf(rejected!.address)).state, 'RETURNED');
    const history = await db().endpointHistory.findMany({ where: { endpointId: rejected!.id }, orderBy: { version: 'asc' } });
    assert.deepEqual(
      history.map((h) => [h.fromState, h.toState]),
      [
        ['REJECTED', 'RELEASING'],
        ['RELEASING', 'RETURNED'],
      ],
    );
    await recordHistory(client.workflow.getHandle(`endpoint/${rejected!.address}`), 'endpoint-leaves-shelf-returned');
  });

  it('at a carrier without an API a release order is an operator work item: form, alert, AWAITING_OPERATOR; the operator confirms and the numbers end RETIRED and RETURNED', async () => {
    const [spare] = await onShelf('carrier-paper', 'AVAILABLE', 1);
    const [rejected] = await onShelf('carrier-paper', 'REJECTED', 1);
    const row = await releaseOrder('carrier-paper', [spare!, rejected!]);
    await startRelease(row);
    for (let i = 0; i < 200 && (await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } })).status !== 'AWAITING_OPERATOR'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } })).status, 'AWAITING_OPERATOR');
    assert.deepEqual([(await stateOf(spare!.address)).state, (await stateOf(rejected!.address)).state], ['RELEASING', 'RELEASING']);
    // the work item: a CSV and a printable form, written for the operator and served by the API
    const files = [join(config().ORDER_FORMS_DIR, `release-${row.id}.csv`), join(config().ORDER_FORMS_DIR, `release-${row.id}.html`)];
    for (const f of files) assert.ok(existsSync(f), `${f} written`);
    const auth = { authorization: `Bearer ${await apiKey('OPERATOR')}` };
    const csv = await (await fetch(`${api.url}/v1/orders/${row.id}/form.csv`, { headers: auth })).text();
    assert.match(csv, new RegExp(`${row.id},release,\\${spare!.address},`));
    assert.match(csv, new RegExp(`${row.id},return,\\${rejected!.address},`));
    assert.equal(csv, readFileSync(files[0]!, 'utf8'));
    const html = await (await fetch(`${api.url}/v1/orders/${row.id}/form.html`, { headers: auth })).text();
    assert.match(html, /Paper Telecom/);
    assert.ok(html.includes(spare!.address) && html.includes(rejected!.address));
    // the alert the dashboard shows: the order among the open ones, awaiting the operator
    const dash = (await (await fetch(`${api.url}/v1/dashboard`, { headers: auth })).json()) as { orders: { id: string; status: string; direction: string }[] };
    assert.deepEqual(
      dash.orders.filter((o) => o.id === row.id).map((o) => [o.direction, o.status]),
      [['RELEASE', 'AWAITING_OPERATOR']],
    );
    const confirm = () =>
      fetch(`${api.url}/v1/orders/${row.id}/confirmations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ note: 'form faxed to Paper Telecom' }),
      });
    const confirmed = await confirm();
    assert.equal(confirmed.status, 202, await confirmed.clone().text());
    const result = await resultOf(row.id);
    assert.equal(result.status, 'DELIVERED');
    assert.deepEqual([(await stateOf(spare!.address)).state, (await stateOf(rejected!.address)).state], ['RETIRED', 'RETURNED']);
    const done = await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } });
    assert.equal(done.status, 'DELIVERED');
    assert.match(done.failureReason ?? '', /^2 endpoints handed back; confirmed by key:.+: form faxed to Paper Telecom$/);
    // a second confirmation of a closed order is refused
    assert.equal((await confirm()).status, 409);
    await recordHistory(client.workflow.getHandle(orderWorkflowId(row.id)), 'order-release-operator');
  });

  it('a worker killed mid-order (SIGKILL) and restarted resumes it; the carrier saw exactly one submission', async () => {
    // the in-process worker steps aside; a worker in a child process takes the queue
    worker!.shutdown();
    await running;
    const spawnWorker = (): ChildProcess =>
      fork(join(__dirname, '..', '..', 'workers', 'main.ts'), [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          DATABASE_URL: stack().databaseUrl,
          TEMPORAL_ADDRESS: stack().temporalAddress,
          TEMPORAL_TASK_QUEUE: ORDER_TASK_QUEUE,
          LOG_LEVEL: 'warn',
          ORDER_DELIVERY_TIMEOUT: '60s',
          WORKER_START_MONITOR: 'false',
        },
        stdio: 'ignore',
      });
    sim.configure('carrier-a', { deliveryDelayMs: 6000 });
    let child = spawnWorker();
    try {
      const { row } = await order('carrier-a', 2);
      // a child worker starts (tsx, bundling) in a few seconds, longer on a busy machine
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && (await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } })).status !== 'SUBMITTED') {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal((await db().providerOrder.findUniqueOrThrow({ where: { id: row.id } })).status, 'SUBMITTED');
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      child = spawnWorker();
      const result = await resultOf(row.id);
      assert.equal(result.status, 'DELIVERED');
      assert.equal((await endpointsOf(row.id)).length, 2);
      assert.equal(sim.stats().carriers['carrier-a']!.submissions[row.idempotencyKey], 1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      await startWorker();
    }
  });
});
