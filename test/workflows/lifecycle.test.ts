// The endpoint lifecycle over real durations (30 days of quarantine, 45 of
// aging) on the time-skipping test server, with its activities writing to the
// real PostgreSQL. RECORD_REPLAY=1 saves each path's history to test/replay/.
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { ingestEndpoints, type IngestItem } from '../../src/usecases/ingest';
import type { FailureRates } from '../../src/domain/harness';
import type { endpointWorkflow } from '../../workflows/endpoint.workflow';
import {
  allocateUpdate,
  endpointWorkflowId,
  portOutUpdate,
  inboundTrafficSignal,
  qualityReportSignal,
  releaseUpdate,
  reserveUpdate,
  retireUpdate,
  returnedUpdate,
  stateQuery,
  type EndpointStateName,
  type EndpointStatus,
  type LifecyclePolicy,
} from '../../workflows/shared';
import { recordHistory } from '../support/replay';
import { TASK_QUEUE, defaultPolicy, timeskipDb, timeskipEnv, timeskipWorker } from '../support/timeskip';

const DAY = 24 * 3600_000;
type EndpointHandle = WorkflowHandle<typeof endpointWorkflow>;

function randomNanp(): string {
  return `+1415${String(2_000_000 + Math.floor(Math.random() * 7_999_999))}`;
}

interface Ctx {
  env: TestWorkflowEnvironment;
  // properties, not methods: every test destructures them
  ingest: (item?: Partial<IngestItem>, opts?: { entry?: 'quarantine' | 'port-in'; accountId?: string }) => Promise<EndpointHandle>;
  waitFor: (h: EndpointHandle, state: EndpointStateName, extra?: (s: EndpointStatus) => boolean) => Promise<EndpointStatus>;
  record: (h: EndpointHandle, name: string) => Promise<void>;
}

/** A fresh time-skipping server and worker for one test. */
async function withLifecycle(fn: (ctx: Ctx) => Promise<void>, opts: { rates?: FailureRates; policy?: Partial<LifecyclePolicy> } = {}): Promise<void> {
  const env = await timeskipEnv();
  let worker: Worker | undefined;
  try {
    worker = await timeskipWorker(env, opts.rates);
    const policy = { ...defaultPolicy(), ...opts.policy };
    const ctx: Ctx = {
      env,
      async ingest(item = {}, o = {}) {
        const address = item.address ?? randomNanp();
        const res = await ingestEndpoints({ db: timeskipDb(), client: env.client, taskQueue: TASK_QUEUE, policy }, [{ address, ...item }], {
          entry: o.entry ?? 'quarantine',
          accountId: o.accountId,
          actor: 'test',
        });
        assert.equal(res.accepted.length, 1, JSON.stringify(res));
        return env.client.workflow.getHandle<typeof endpointWorkflow>(endpointWorkflowId(address));
      },
      async waitFor(h, state, extra = () => true) {
        let last: EndpointStatus | undefined;
        for (let i = 0; i < 400; i++) {
          last = await h.query(stateQuery);
          if (last.state === state && extra(last)) return last;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.fail(`expected ${state}, still ${last?.state} (${JSON.stringify(last)})`);
      },
      record: (h, name) => recordHistory(h, `endpoint-${name}`),
    };
    await worker.runUntil(() => fn(ctx));
  } finally {
    await env.teardown();
  }
}

async function rowOf(address: string) {
  return timeskipDb().endpoint.findUniqueOrThrow({
    where: { address },
    include: { history: { orderBy: { version: 'asc' } } },
  });
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WorkflowUpdateFailedError, `expected a rejected update, got ${String(err)}`);
    return (err.cause as Error).message;
  }
  assert.fail('the update was accepted');
}

describe('endpoint lifecycle (time-skipping server + PostgreSQL)', function () {
  this.timeout(120_000);

  before(async () => {
    for (const id of ['acct-1', 'acct-2', 'acct-3', 'acct-a', 'acct-b', 'acct-c', 'acct-port', 'acct-out']) {
      await timeskipDb().account.upsert({ where: { id }, create: { id, name: id }, update: {} });
    }
  });

  it('a fresh number passes 30 days of quarantine and its tests and becomes available', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest();
      const { address } = await h.query(stateQuery);
      assert.equal((await h.query(stateQuery)).state, 'QUARANTINE');
      await env.sleep(29 * DAY);
      assert.equal((await h.query(stateQuery)).state, 'QUARANTINE', 'still quarantined on day 29');
      await env.sleep(2 * DAY);
      const s = await waitFor(h, 'AVAILABLE');
      assert.deepEqual(s.enabled, { voice: true, sms: true, mms: false, fax: false });

      const row = await rowOf(address);
      assert.equal(row.state, 'AVAILABLE');
      assert.equal(row.version, s.version);
      assert.ok(row.voiceEnabled && row.smsEnabled);
      assert.deepEqual(
        row.history.map((e) => e.toState),
        ['QUARANTINE', 'TESTING', 'AVAILABLE'],
      );
      assert.ok(
        row.history.every((e) => e.cause.length > 0),
        'every transition has a cause',
      );
      await record(h, 'quarantine-to-available');
      // the same path since 'harness-test-traffic': each test's request, then a timer until its arrival (signal)
      await record(h, 'harness-test-traffic');
    }));

  it('a number with inbound voice calls but no messages becomes available SMS-only', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest();
      const { address } = await h.query(stateQuery);
      // calls for the previous owner keep coming through the quarantine and both extensions
      for (const days of [31, 16, 16]) {
        await h.signal(inboundTrafficSignal, { medium: 'voice', count: 4 });
        await env.sleep(days * DAY);
      }
      const s = await waitFor(h, 'AVAILABLE');
      assert.deepEqual(s.enabled, { voice: false, sms: true, mms: false, fax: false });
      assert.deepEqual(s.droppedMedia, ['voice']);
      const row = await rowOf(address);
      assert.equal(row.voiceEnabled, false);
      assert.equal(row.smsEnabled, true);
      assert.ok(row.voiceCleanliness < 0.6, `voice cleanliness ${row.voiceCleanliness}`);
      assert.equal(row.messagingCleanliness, 1);
      const causes = row.history.map((e) => `${e.toState}: ${e.cause}`);
      assert.equal(causes.filter((c) => c.startsWith('QUARANTINE: quarantine extended')).length, 2, causes.join('\n'));
      assert.match(
        causes.find((c) => c.startsWith('TESTING'))!,
        /offered for messaging only/,
      );
      await record(h, 'voice-dirty-sms-only');
    }));

  it('a hopeless number is rejected, and returned to its carrier', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest();
      const { address } = await h.query(stateQuery);
      for (const days of [31, 16, 16]) {
        await h.signal(inboundTrafficSignal, { medium: 'voice', count: 5 });
        await h.signal(inboundTrafficSignal, { medium: 'messaging', count: 5 });
        await env.sleep(days * DAY);
      }
      const s = await waitFor(h, 'REJECTED');
      assert.equal(s.accountId, null);
      assert.match((await rowOf(address)).history.at(-1)!.cause, /dirty after 2 extensions/);
      await h.executeUpdate(returnedUpdate, { args: [{ reason: 'release order 42 confirmed' }] });
      await waitFor(h, 'RETURNED');
      assert.equal((await rowOf(address)).state, 'RETURNED');
      await record(h, 'rejected-returned');
    }));

  it('a number failing its routing test is rejected', () =>
    withLifecycle(
      async ({ env, ingest, waitFor, record }) => {
        const h = await ingest();
        await env.sleep(31 * DAY);
        await waitFor(h, 'REJECTED');
        const row = await rowOf((await h.query(stateQuery)).address);
        assert.match(row.history.at(-1)!.cause, /routing to the platform failed/);
        await record(h, 'tests-failed-rejected');
        await record(h, 'harness-test-not-delivered');
      },
      { rates: { voice: { not_delivered: 1 } } },
    ));

  it('allocated, released, aged 45 days, tested and available again', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest();
      await env.sleep(31 * DAY);
      await waitFor(h, 'AVAILABLE');
      const allocated = await h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-1', applicationUri: 'https://app.example/voice' }] });
      assert.equal(allocated.state, 'ALLOCATED');
      assert.equal(allocated.accountId, 'acct-1');
      const { address } = allocated;
      assert.equal((await rowOf(address)).applicationUri, 'https://app.example/voice');

      const released = await h.executeUpdate(releaseUpdate, { args: [{ accountId: 'acct-1' }] });
      assert.equal(released.state, 'AGING');
      const aging = await rowOf(address);
      assert.equal(aging.accountId, null);
      assert.equal(aging.applicationUri, null);
      await env.sleep(44 * DAY);
      assert.equal((await h.query(stateQuery)).state, 'AGING', 'still aging on day 44');
      await env.sleep(2 * DAY);
      await waitFor(h, 'AVAILABLE');
      assert.deepEqual(
        (await rowOf(address)).history.map((e) => e.toState),
        ['QUARANTINE', 'TESTING', 'AVAILABLE', 'ALLOCATED', 'AGING', 'TESTING', 'AVAILABLE'],
      );
      await record(h, 'release-aging-available');
      await record(h, 'local-transitions');
      await record(h, 'patches-at-start');
    }));

  it('a reservation expires and the number returns to available by itself', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest();
      await env.sleep(31 * DAY);
      await waitFor(h, 'AVAILABLE');
      const now = await env.currentTimeMs();
      const reserved = await h.executeUpdate(reserveUpdate, { args: [{ accountId: 'acct-2', until: now + 30 * 60_000 }] });
      assert.equal(reserved.state, 'RESERVED');
      assert.equal((await rowOf(reserved.address)).accountId, 'acct-2');
      await env.sleep(31 * 60_000);
      const s = await waitFor(h, 'AVAILABLE');
      assert.equal(s.accountId, null);
      const row = await rowOf(reserved.address);
      assert.equal(row.accountId, null);
      assert.equal(row.history.at(-1)!.cause, 'reservation expired');
      await record(h, 'reservation-expires');
    }));

  it('an extended reservation outlives its first deadline and expires at the new one', () =>
    withLifecycle(async ({ env, ingest, waitFor }) => {
      const h = await ingest();
      await env.sleep(31 * DAY);
      await waitFor(h, 'AVAILABLE');
      const now = await env.currentTimeMs();
      await h.executeUpdate(reserveUpdate, { args: [{ accountId: 'acct-2', until: now + 10 * 60_000 }] });
      assert.match(
        await rejection(h.executeUpdate(reserveUpdate, { args: [{ accountId: 'acct-3', until: now + 40 * 60_000, extend: true }] })),
        /reserved for another account/,
      );
      const extended = await h.executeUpdate(reserveUpdate, { args: [{ accountId: 'acct-2', until: now + 40 * 60_000, extend: true }] });
      assert.deepEqual([extended.state, extended.reservedUntil], ['RESERVED', now + 40 * 60_000]);
      await env.sleep(20 * 60_000);
      assert.equal((await h.query(stateQuery)).state, 'RESERVED', 'past its first deadline, still reserved');
      await env.sleep(21 * 60_000);
      await waitFor(h, 'AVAILABLE');
      const row = await rowOf(extended.address);
      assert.deepEqual(
        row.history.slice(-3).map((e) => `${e.toState}: ${e.cause.replace(/\d{4}-\S+/, 'T')}`),
        ['RESERVED: reserved until T', 'RESERVED: reservation extended until T', 'AVAILABLE: reservation expired'],
      );
    }));

  it('a reservation holder allocates its reserved number; another account cannot', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest();
      await env.sleep(31 * DAY);
      await waitFor(h, 'AVAILABLE');
      const now = await env.currentTimeMs();
      await h.executeUpdate(reserveUpdate, { args: [{ accountId: 'acct-2', until: now + 10 * 60_000 }] });
      assert.match(await rejection(h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-3' }] })), /reserved for another account/);
      const s = await h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-2' }] });
      assert.equal(s.state, 'ALLOCATED');
      await record(h, 'reserved-then-allocated');
    }));

  it('two concurrent allocate updates on one endpoint: exactly one wins, the other is told why', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest();
      await env.sleep(31 * DAY);
      await waitFor(h, 'AVAILABLE');
      const outcomes = await Promise.allSettled([
        h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-a' }] }),
        h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-b' }] }),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.ok(lost[0]!.reason instanceof WorkflowUpdateFailedError);
      assert.match((lost[0]!.reason.cause as Error).message, /endpoint is ALLOCATED, not AVAILABLE/);
      const winner = (won[0] as PromiseFulfilledResult<EndpointStatus>).value.accountId;
      const row = await rowOf((await h.query(stateQuery)).address);
      assert.equal(row.accountId, winner);
      assert.equal(row.history.filter((e) => e.toState === 'ALLOCATED').length, 1);
      await record(h, 'concurrent-allocate');
      await record(h, 'concurrent-allocate-local');
    }));

  it('invalid transitions are refused with a reason and change nothing', () =>
    withLifecycle(async ({ env, ingest, waitFor }) => {
      const h = await ingest();
      const { address } = await h.query(stateQuery);
      const before = await rowOf(address);
      assert.equal(await rejection(h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-1' }] })), 'endpoint is QUARANTINE, not AVAILABLE');
      assert.match(await rejection(h.executeUpdate(allocateUpdate, { args: [{ accountId: '' }] })), /^accountId: /);
      assert.match(await rejection(h.executeUpdate(retireUpdate, { args: [{ reason: '' }] })), /^reason: /);
      const after = await rowOf(address);
      assert.equal(after.version, before.version);
      assert.equal(after.history.length, before.history.length);
      // an account the repository does not know is refused by the write, and nothing moves

      await env.sleep(31 * DAY);
      await waitFor(h, 'AVAILABLE');
      await h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-1' }] });
      const held = await rowOf(address);
      assert.equal(await rejection(h.executeUpdate(releaseUpdate, { args: [{ accountId: 'acct-2' }] })), 'endpoint is held by another account');
      assert.match(await rejection(h.executeUpdate(retireUpdate, { args: [{ reason: 'cleanup' }] })), /release it first/);
      const still = await rowOf(address);
      assert.equal(still.version, held.version);
      assert.equal(still.accountId, 'acct-1');
      // a refused update never reaches history: the validator turned it away
      const events = (await h.fetchHistory()).events ?? [];
      const accepted = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      assert.equal(accepted, 1, 'only the one good allocate was accepted into history');
    }));

  it('a bad quality report sends an available number back to testing', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest();
      await env.sleep(31 * DAY);
      const first = await waitFor(h, 'AVAILABLE');
      await h.signal(qualityReportSignal, { score: 0.2, source: 'carrier' });
      const again = await waitFor(h, 'AVAILABLE', (s) => s.version > first.version);
      const row = await rowOf(again.address);
      assert.deepEqual(
        row.history.slice(-2).map((e) => e.toState),
        ['TESTING', 'AVAILABLE'],
      );
      assert.match(row.history.at(-2)!.cause, /quality report 0.20 below 0.5/);
      await record(h, 'quality-retest');
    }));

  it('a ported-in number goes to its account after its checks', () =>
    withLifecycle(async ({ ingest, waitFor, record }) => {
      const h = await ingest({}, { entry: 'port-in', accountId: 'acct-port' });
      const s = await waitFor(h, 'ALLOCATED');
      assert.equal(s.accountId, 'acct-port');
      const row = await rowOf(s.address);
      assert.equal(row.accountId, 'acct-port');
      assert.deepEqual(
        row.history.map((e) => e.toState),
        ['PORTING_IN', 'ALLOCATED'],
      );
      await record(h, 'port-in');
    }));

  it('ports out and retires', () =>
    withLifecycle(async ({ env, ingest, waitFor, record }) => {
      const h = await ingest({}, { entry: 'port-in', accountId: 'acct-out' });
      await waitFor(h, 'ALLOCATED');
      const s = await h.executeUpdate(portOutUpdate, { args: [{ accountId: 'acct-out' }] });
      assert.equal(s.state, 'PORTING_OUT');
      await env.sleep(2 * DAY);
      // its result, not a query: a query of the closed workflow replays its whole history on the worker,
      // and that replay once failed with a nondeterminism error on patch in-service-retest (see docs/testing.md)
      const result = await h.result();
      assert.equal(result.state, 'PORTED_OUT');
      assert.equal((await rowOf(s.address)).accountId, null);
      await record(h, 'port-out');

      const h2 = await ingest();
      await h2.executeUpdate(retireUpdate, { args: [{ reason: 'number range withdrawn' }] });
      assert.equal((await h2.result()).state, 'RETIRED');
    }));

  it('continues as new when its history grows, keeping its state', () =>
    withLifecycle(
      async ({ env, ingest, waitFor, record }) => {
        const h = await ingest();
        await env.sleep(31 * DAY);
        await waitFor(h, 'AVAILABLE');
        const { runId: firstRunId } = await h.describe();
        for (let i = 0; i < 30; i++) {
          await h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-c' }] });
          await h.executeUpdate(releaseUpdate, { args: [{ accountId: 'acct-c' }] });
          await env.sleep(46 * DAY);
          await waitFor(h, 'AVAILABLE');
        }
        const d = await env.client.workflow.getHandle(h.workflowId).describe();
        assert.notEqual(d.runId, firstRunId, 'a new run took over');
        const s = await h.query(stateQuery);
        const row = await rowOf(s.address);
        assert.equal(row.version, s.version);
        assert.equal(row.state, 'AVAILABLE');
        await record(h, 'continue-as-new');
        await record(env.client.workflow.getHandle(h.workflowId, firstRunId), 'continue-as-new-first-run');
      },
      { policy: { historyLimit: 150 } },
    ));
});
