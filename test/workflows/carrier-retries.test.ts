// A carrier call is one HTTP request per activity attempt: a 5xx (or a network
// error, or a 429) fails the attempt and Temporal's retry policy, set in the
// order workflow's proxyActivities, tries again — visible as the attempt
// number in the workflow's history; a 4xx is final at once (non-retryable).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createWorker } from '../../workers/worker';
import { cancelOrderSignal, orderWorkflowId, type OrderProgress } from '../../workflows/shared';
import { db, nativeConnection, temporalClient, testConfig, testLog, uniqueTaskQueue } from '../support/stack';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** A carrier whose POST /orders answers the scripted statuses in turn, then 200. */
function scriptedCarrier() {
  const seen: { path: string; at: number }[] = [];
  let script: { status: number; retryAfter?: number }[] = [];
  const app = express();
  app.post('/orders', (req, res) => {
    seen.push({ path: req.path, at: Date.now() });
    const next = script.shift();
    if (next && next.status !== 200) {
      if (next.retryAfter) res.setHeader('retry-after', String(next.retryAfter));
      res.status(next.status).json({ error: `scripted ${next.status}` });
      return;
    }
    res.json({ carrierOrderId: `SCRIPTED-${seen.length}` });
  });
  app.post('/orders/:id/cancel', (req, res) => {
    seen.push({ path: req.path, at: Date.now() });
    res.json({ cancelled: true });
  });
  return {
    app,
    seen,
    answer(statuses: { status: number; retryAfter?: number }[]) {
      script = [...statuses];
      seen.length = 0;
    },
  };
}

describe('carrier calls are retried by Temporal, not inside the activity', function () {
  this.timeout(120_000);
  const taskQueue = uniqueTaskQueue('carrier-retries');
  const providerId = `retry-carrier-${randomUUID().slice(0, 8)}`;
  const carrier = scriptedCarrier();
  let server: import('node:http').Server;
  let client: Client;
  let connection: Connection;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;

  before(async () => {
    server = await new Promise((resolve) => {
      const s = carrier.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (server.address() as import('node:net').AddressInfo).port;
    await db().provider.create({
      data: {
        id: providerId,
        name: providerId,
        kind: 'API',
        apiBaseUrl: `http://127.0.0.1:${port}`,
        webhookSecret: 'retry-carrier-secret-0123456789',
        countries: ['ZZ'],
      },
    });
    ({ client, connection } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({
      config: testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, CARRIER_HTTP_TIMEOUT: '2s' }),
      connection: native,
      db: db(),
      log: testLog,
      client,
    });
    running = worker.run();
  });
  after(async () => {
    worker.shutdown();
    await running;
    await db().provider.update({ where: { id: providerId }, data: { active: false } });
    await connection.close();
    await native.close();
    await new Promise((r) => server.close(r));
  });

  /**
   * An acquire order cancelled from its start: it submits, then (cancelled)
   * cancels at the carrier and closes — never re-routed elsewhere.
   */
  async function cancelledOrder(): Promise<{ result: OrderProgress; history: History; orderId: string }> {
    const row = await db().providerOrder.create({
      data: { providerId, direction: 'ACQUIRE', idempotencyKey: `test:${randomUUID()}`, lines: { create: [{ quantity: 1, country: 'ZZ', tags: [] }] } },
    });
    const handle = await client.workflow.signalWithStart('providerOrderWorkflow', {
      taskQueue,
      workflowId: orderWorkflowId(row.id),
      args: [{ orderId: row.id, providerId, direction: 'ACQUIRE', deliveryTimeoutMs: 60_000 }],
      signal: cancelOrderSignal,
      signalArgs: [{ reason: 'test: cancelled from the start' }],
    });
    const result = (await handle.result()) as OrderProgress;
    return { result, history: await handle.fetchHistory(), orderId: row.id };
  }

  /** the submitOrder activity's last attempt number and its outcome, from the history */
  function submitAttempts(history: History) {
    const events = history.events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'submitOrder');
    assert.ok(scheduled, 'submitOrder was scheduled');
    const id = scheduled.eventId!;
    const started = events.find((e) => e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(id));
    const failed = events.find((e) => e.activityTaskFailedEventAttributes && String(e.activityTaskFailedEventAttributes.scheduledEventId) === String(id));
    const completed = events.find(
      (e) => e.activityTaskCompletedEventAttributes && String(e.activityTaskCompletedEventAttributes.scheduledEventId) === String(id),
    );
    return {
      attempt: started?.activityTaskStartedEventAttributes?.attempt,
      failure: failed?.activityTaskFailedEventAttributes?.failure,
      completed: Boolean(completed),
      retryPolicy: scheduled.activityTaskScheduledEventAttributes?.retryPolicy,
    };
  }

  it('a carrier answering 503 twice, then 200: one request per attempt, the third attempt (Temporal retried) submits', async () => {
    carrier.answer([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const { result, history, orderId } = await cancelledOrder();
    const submits = carrier.seen.filter((s) => s.path === '/orders');
    assert.equal(submits.length, 3, 'one HTTP request per activity attempt');
    const s = submitAttempts(history);
    assert.equal(s.attempt, 3, 'the activity ran three times: Temporal retried it');
    assert.ok(s.completed);
    // Temporal's backoff between the attempts (initial interval 1 s), not a loop in the activity
    assert.ok(submits[1]!.at - submits[0]!.at >= 900, `waited ${submits[1]!.at - submits[0]!.at} ms before the second attempt`);
    assert.deepEqual(s.retryPolicy?.nonRetryableErrorTypes, ['CarrierRejected', 'CarrierMisconfigured']);
    assert.equal(s.retryPolicy.maximumAttempts, 6);
    assert.equal(result.status, 'CANCELLED');
    const saved = await db().providerOrder.findUniqueOrThrow({ where: { id: orderId } });
    assert.equal(saved.carrierReference, 'SCRIPTED-3');
  });

  it("a 429's Retry-After is the wait before Temporal's next attempt", async () => {
    carrier.answer([{ status: 429, retryAfter: 2 }, { status: 200 }]);
    const { history } = await cancelledOrder();
    const submits = carrier.seen.filter((s) => s.path === '/orders');
    assert.equal(submits.length, 2);
    assert.equal(submitAttempts(history).attempt, 2);
    assert.ok(submits[1]!.at - submits[0]!.at >= 1900, `waited ${submits[1]!.at - submits[0]!.at} ms (Retry-After: 2)`);
  });

  it('a carrier answering 422 is not retried: one request, attempt 1, a non-retryable CarrierRejected', async () => {
    carrier.answer([{ status: 422 }, { status: 422 }, { status: 422 }]);
    const { result, history } = await cancelledOrder();
    assert.equal(carrier.seen.filter((s) => s.path === '/orders').length, 1);
    const s = submitAttempts(history);
    assert.equal(s.attempt, 1);
    assert.equal(s.failure?.applicationFailureInfo?.type, 'CarrierRejected');
    assert.equal(s.failure.applicationFailureInfo.nonRetryable, true);
    assert.equal(result.status, 'CANCELLED');
  });
});
