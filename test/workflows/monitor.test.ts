// The inventory monitor on the real dev server with PostgreSQL: deficits
// become one order per chosen provider after the batching window, what is on
// order or in quarantine suppresses a second order, an excess becomes a
// release order, check-now answers with the report, the Schedule wakes it,
// and a burst of notices is one signal.
import assert from 'node:assert/strict';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { lifecyclePolicy, monitorInput } from '../../src/config';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { createGrouping, evaluateGroupings } from '../../src/db/groupings';
import { MONITOR_SCHEDULE_ID, MonitorNotifier, ensureMonitor } from '../../src/usecases/monitor';
import { TemporalGateway } from '../../src/temporal/gateway';
import { createWorker } from '../../workers/worker';
import { INVENTORY_MONITOR_ID, checkNowUpdate, confirmOrderSignal, monitorStatusQuery, orderWorkflowId } from '../../workflows/shared';
import type { providerOrderWorkflow } from '../../workflows/provider-order.workflow';
import { recordHistory } from '../support/replay';
import { SHARED_TASK_QUEUE, db, nativeConnection, temporalClient, testConfig, testLog } from '../support/stack';

describe('inventory monitor', function () {
  this.timeout(60_000);
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, MONITOR_BATCH_WINDOW: '1500ms', MONITOR_PERIOD: '1 hour', QUARANTINE_NEW: '1s' });
  const monitor = () => client.workflow.getHandle(INVENTORY_MONITOR_ID);
  const ids: Record<string, string> = {};

  async function endpoints(npa: string, n: number, state: 'AVAILABLE' | 'QUARANTINE', providerId?: string): Promise<void> {
    const rows = Array.from({ length: n }, (_, i) => ({
      address: `+1${npa}555${String(3000 + i)}`,
      tags: ['cap:sms', 'country:us', `npa:${npa}`].sort(),
      quality: i / n,
    }));
    await db().$executeRaw`
      INSERT INTO endpoints (address, kind, state, classifier_tags, provider_id, quality_score, npa)
      SELECT a, 'FIXED_LINE_OR_MOBILE', ${state}::"EndpointState", string_to_array(t, ','), ${providerId ?? null}, q, ${npa}
        FROM unnest(${rows.map((r) => r.address)}::text[], ${rows.map((r) => r.tags.join(','))}::text[], ${rows.map((r) => r.quality)}::float8[]) AS x(a, t, q)`;
  }

  const linesOf = (groupingId: string) => db().orderLine.findMany({ where: { groupingId }, include: { order: true }, orderBy: { quantity: 'desc' } });

  before(async () => {
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    // only this suite's carriers take part
    await db().provider.updateMany({ data: { active: false } });
    await db().provider.createMany({
      data: [
        // carriers without an API: their orders wait for an operator, so they stay on order
        { id: 'carrier-cheap', name: 'Cheap', kind: 'MANUAL', npas: ['940', '941', '509'], costPerNumberCents: 10, reliabilityScore: 0.9, quotaNumbers: 5 },
        { id: 'carrier-dear', name: 'Dear', kind: 'MANUAL', npas: ['940', '941', '509'], costPerNumberCents: 90, reliabilityScore: 0.9 },
        { id: 'carrier-elsewhere', name: 'Elsewhere', kind: 'MANUAL', npas: ['212'], costPerNumberCents: 1, reliabilityScore: 1 },
      ],
    });
    ids.short = (await createGrouping(db(), { name: 'mon npa:940', tags: ['npa:940'], minAvailable: 10, targetAvailable: 20, maxAvailable: 100 })).id;
    await endpoints('941', 10, 'QUARANTINE');
    ids.incoming = (await createGrouping(db(), { name: 'mon npa:941', tags: ['npa:941'], minAvailable: 5, targetAvailable: 10, maxAvailable: 100 })).id;
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    // ten real endpoints (with their lifecycles) in 509, dearer and dearer to keep
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) },
      Array.from({ length: 10 }, (_, i) => ({ address: `+1509555${String(4000 + i)}`, monthlyCostCents: 100 + i * 10 })),
      { entry: 'quarantine', providerId: 'carrier-dear', actor: 'test' },
    );
    for (let i = 0; i < 200 && (await db().endpoint.count({ where: { npa: '509', state: 'AVAILABLE' } })) < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    ids.excess = (await createGrouping(db(), { name: 'mon npa:509', tags: ['npa:509'], minAvailable: 0, targetAvailable: 3, maxAvailable: 5 })).id;
    await ensureMonitor(TemporalGateway.fromClient(client, SHARED_TASK_QUEUE), { input: monitorInput(config()), periodMs: config().MONITOR_PERIOD });
  });
  after(async () => {
    await recordHistory(monitor(), 'inventory-monitor-history-1000');
    // rows without workflows would be drift for the final reconciliation
    await db().endpoint.deleteMany({ where: { address: { startsWith: '+1941' } } });
    await monitor()
      .terminate('suite over')
      .catch(() => {});
    await client.schedule
      .getHandle(MONITOR_SCHEDULE_ID)
      .delete()
      .catch(() => {});
    worker.shutdown();
    await running;
    await connection.close();
    await native.close();
  });

  it('answers check-now with the report: the short grouping, the excess, not the one with stock on its way', async () => {
    const report = await monitor().executeUpdate(checkNowUpdate);
    assert.equal(report.trigger, 'operator check-now');
    const acquire = new Map(report.acquire.map((d) => [d.groupingId, d]));
    assert.equal(acquire.get(ids.short!)?.quantity, 20);
    assert.ok(!acquire.has(ids.incoming!), 'ten in quarantine already cover the target');
    assert.equal(report.release.find((d) => d.groupingId === ids.excess)?.quantity, 7);
    assert.ok(report.batchDeadline! > report.evaluatedAt);
  });

  it('after the batching window: exactly one order per chosen provider, split by quota, each a child workflow', async () => {
    // a burst of wake-ups during the window changes nothing
    for (let i = 0; i < 5; i++) await monitor().signal('inventoryChanged', { reason: `burst ${i}` });
    let lines = await linesOf(ids.short!);
    for (let i = 0; i < 100 && lines.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      lines = await linesOf(ids.short!);
    }
    assert.deepEqual(
      lines.map((l) => [l.order.providerId, l.quantity, l.order.direction]),
      [
        ['carrier-dear', 15, 'ACQUIRE'],
        ['carrier-cheap', 5, 'ACQUIRE'],
      ],
      'the cheap carrier up to its quota of 5, the rest to the next',
    );
    assert.equal(new Set(lines.map((l) => l.orderId)).size, 2);
    // the rows come first, then the children start
    for (let i = 0; i < 100; i++) {
      const started = (await monitor().query(monitorStatusQuery)).ordersStarted;
      if (lines.every((l) => started.includes(l.orderId))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const l of lines) {
      const d = await client.workflow.getHandle(orderWorkflowId(l.orderId)).describe();
      assert.equal(d.status.name, 'RUNNING');
      assert.equal(d.parentExecution?.workflowId, INVENTORY_MONITOR_ID);
    }
    assert.equal(
      lines.every((l) => l.npa === '940'),
      true,
    );
  });

  it('never orders a deficit already on order', async () => {
    const report = await monitor().executeUpdate(checkNowUpdate);
    assert.ok(!report.acquire.some((d) => d.groupingId === ids.short), JSON.stringify(report.acquire));
    await new Promise((r) => setTimeout(r, 2000)); // past another batching window
    assert.equal((await linesOf(ids.short!)).length, 2);
    assert.equal((await linesOf(ids.incoming!)).length, 0);
  });

  it('turns an excess into a release order for the least valuable endpoints', async () => {
    const [line] = await linesOf(ids.excess!);
    assert.ok(line, 'a release line exists');
    assert.equal(line.order.direction, 'RELEASE');
    assert.equal(line.order.providerId, 'carrier-dear');
    assert.equal(line.endpointIds.length, 7);
    const picked = await db().endpoint.findMany({ where: { id: { in: line.endpointIds } }, select: { monthlyCostCents: true } });
    assert.ok(Math.min(...picked.map((p) => p.monthlyCostCents)) >= 130, 'the seven dearest of ten (all of one quality)');
    // the release order takes them off the shelf, hands them back and retires them: the excess is
    // gone, nothing is released twice. Carrier-dear has no API: handing them back is an operator's
    // work item, done when the operator confirms (before issue 14 it was silently skipped)
    const order = client.workflow.getHandle<typeof providerOrderWorkflow>(orderWorkflowId(line.orderId));
    for (let i = 0; i < 200 && (await db().providerOrder.findUniqueOrThrow({ where: { id: line.orderId } })).status !== 'AWAITING_OPERATOR'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await db().endpoint.count({ where: { id: { in: line.endpointIds }, state: 'RELEASING' } }), 7);
    await order.signal(confirmOrderSignal, { actor: 'operator:test', note: 'handed back by hand' });
    const result = await order.result();
    assert.equal(result.status, 'DELIVERED');
    assert.equal(await db().endpoint.count({ where: { id: { in: line.endpointIds }, state: 'RETIRED' } }), 7);
    await recordHistory(client.workflow.getHandle(orderWorkflowId(line.orderId)), 'order-release');
    const report = await monitor().executeUpdate(checkNowUpdate);
    assert.ok(!report.release.some((d) => d.groupingId === ids.excess), 'not released twice');
  });

  it('counts what an open order still expects: rejected numbers are still to come, so nothing is ordered twice', async () => {
    // an order of 10 for 942: 3 accepted (in quarantine now), 2 rejected — the carrier still owes 7
    const g = await createGrouping(db(), { name: 'mon npa:942', tags: ['npa:942'], minAvailable: 5, targetAvailable: 10, maxAvailable: 100 });
    const order = await db().providerOrder.create({
      data: { providerId: 'carrier-dear', direction: 'ACQUIRE', status: 'PARTIALLY_DELIVERED', idempotencyKey: `mon-942-${Date.now()}` },
    });
    try {
      await db().orderLine.create({
        data: { orderId: order.id, groupingId: g.id, npa: '942', tags: ['npa:942'], quantity: 10, delivered: 5, accepted: 3, rejected: 2 },
      });
      await endpoints('942', 3, 'QUARANTINE', 'carrier-dear');
      const [m] = (await evaluateGroupings(db(), { windowMs: 3_600_000, snapshot: false })).filter((x) => x.groupingId === g.id);
      assert.deepEqual([m!.available, m!.inQuarantine, m!.onOrder], [0, 3, 7], 'on order: 10 less the 3 accepted');
      const report = await monitor().executeUpdate(checkNowUpdate);
      assert.ok(!report.acquire.some((d) => d.groupingId === g.id), `3 in quarantine and 7 on order cover the target of 10: ${JSON.stringify(report.acquire)}`);
      assert.ok(!(await monitor().query(monitorStatusQuery)).pendingAcquire.some((r) => r.groupingId === g.id), 'nothing waits to be ordered');
    } finally {
      await db().endpoint.deleteMany({ where: { address: { startsWith: '+1942' } } });
      await db().orderLine.deleteMany({ where: { orderId: order.id } });
      await db().providerOrder.delete({ where: { id: order.id } });
      await db().classificationGrouping.delete({ where: { id: g.id } });
    }
  });

  it('is woken by its Schedule', async () => {
    await client.schedule.getHandle(MONITOR_SCHEDULE_ID).trigger();
    for (let i = 0; i < 100; i++) {
      if ((await monitor().query(monitorStatusQuery)).lastReport?.trigger === 'schedule') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail('the schedule did not wake the monitor');
  });

  it('coalesces a burst of inventory-changed notices into one signal', async () => {
    const before = (await monitor().fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    const notifier = MonitorNotifier.forGateway(TemporalGateway.fromClient(client, SHARED_TASK_QUEUE), {
      input: monitorInput(config()),
      coalesceMs: 300,
    });
    for (let i = 0; i < 1000; i++) notifier.notify();
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(notifier.sent, 1);
    const after = (await monitor().fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes);
    assert.equal(after.length - before, 1);
  });
});
