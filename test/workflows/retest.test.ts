// Re-tests of numbers in service (issue 18), on the time-skipping server with
// PostgreSQL and the simulated carrier network: a poor quality report
// re-tests the media it is about for real and the verdict combines with the
// feedback; the schedule re-tests an AVAILABLE number and pulls it from the
// shelf when it fails; a failed re-test of an ALLOCATED number keeps it with
// its holder and alerts the platform (a signed webhook) and the operators.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { verifyWebhook } from '../../src/carriers/webhook';
import { recordHistory } from '../support/replay';
import { ingestEndpoints } from '../../src/usecases/ingest';
import type { SimulatedHarness } from '../../src/harness/harness';
import type { endpointWorkflow } from '../../workflows/endpoint.workflow';
import {
  allocateUpdate,
  endpointWorkflowId,
  qualityReportSignal,
  retestSignal,
  stateQuery,
  type EndpointStateName,
  type EndpointStatus,
} from '../../workflows/shared';
import { TASK_QUEUE, defaultPolicy, timeskipDb, timeskipEnv, timeskipHarness, timeskipWorker } from '../support/timeskip';

const DAY = 86_400_000;
let next = 0;
const randomNanp = () => `+1628${String(5_300_000 + Math.floor(Math.random() * 600_000) + next++).padStart(7, '0')}`;

interface Ctx {
  env: TestWorkflowEnvironment;
  harness: SimulatedHarness;
  shelve: () => Promise<{ address: string; h: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']> }>;
  waitFor: (address: string, state: EndpointStateName, extra?: (s: EndpointStatus) => boolean) => Promise<EndpointStatus>;
}

async function withRetests(fn: (ctx: Ctx) => Promise<void>, settings: Record<string, string> = {}): Promise<void> {
  const env = await timeskipEnv();
  let harness: SimulatedHarness | undefined;
  let worker: Worker | undefined;
  try {
    worker = await timeskipWorker(env, {}, { settings, harness: (config) => (harness = timeskipHarness(env, config)) });
    const policy = defaultPolicy();
    const handle = (address: string) => env.client.workflow.getHandle<typeof endpointWorkflow>(endpointWorkflowId(address));
    const ctx: Ctx = {
      env,
      harness: harness!,
      async waitFor(address, state, extra = () => true) {
        let last: EndpointStatus | undefined;
        for (let i = 0; i < 400; i++) {
          last = await handle(address).query(stateQuery);
          if (last.state === state && extra(last)) return last;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.fail(`expected ${state}, still ${last?.state} (${JSON.stringify(last)})`);
      },
      async shelve() {
        const address = randomNanp();
        const res = await ingestEndpoints(
          { db: timeskipDb(), client: env.client, taskQueue: TASK_QUEUE, policy },
          [{ address, capable: { voice: true, sms: true, mms: true } }],
          {
            entry: 'quarantine',
            actor: 'test',
          },
        );
        assert.equal(res.accepted.length, 1, JSON.stringify(res));
        await env.sleep(31 * DAY);
        await ctx.waitFor(address, 'AVAILABLE');
        return { address, h: handle(address) };
      },
    };
    await worker.runUntil(() => fn(ctx));
  } finally {
    await env.teardown();
  }
}

const rowOf = (address: string) => timeskipDb().endpoint.findUniqueOrThrow({ where: { address }, include: { history: { orderBy: { version: 'asc' } } } });

describe('re-tests of numbers in service (time-skipping server + PostgreSQL)', function () {
  this.timeout(120_000);

  it('a poor quality report about SMS re-tests messaging for real: SMS no longer arrives, so it is no longer offered; the score combines the feedback with the tests', () =>
    withRetests(async ({ env, harness, shelve, waitFor }) => {
      const { address, h } = await shelve();
      const before = await rowOf(address);
      assert.deepEqual([before.voiceEnabled, before.smsEnabled, before.mmsEnabled, before.qualityScore], [true, true, true, 1]);
      const probesBefore = await timeskipDb().capabilityProbe.count({ where: { address } });

      // the network now loses this number's SMS
      harness.config.testOutcomes[address] = { sms: 'not_delivered' };
      await h.signal(qualityReportSignal, { score: 0.2, source: 'account:acct-x', capabilities: ['sms'] });
      const first = before.version;
      await env.sleep(10 * 60_000); // past HARNESS_TIMEOUT_SMS: the lost SMS's wait ends
      const after = await waitFor(address, 'AVAILABLE', (s) => s.version > first + 1);
      assert.deepEqual(after.enabled, { voice: true, sms: false, mms: true, fax: false });

      const row = await rowOf(address);
      const [testing, back] = row.history.slice(-2);
      assert.deepEqual([testing!.toState, back!.toState], ['TESTING', 'AVAILABLE']);
      assert.match(testing!.cause, /^quality report 0\.20 below 0\.5: re-test$/);
      assert.match(back!.cause, /^re-test \(quality report 0\.20 below 0\.5\): lost sms; sms: nothing arrived/);
      // only messaging was re-tested (routing, SMS, MMS), for real: three more test messages/calls placed
      assert.equal((await timeskipDb().capabilityProbe.count({ where: { address } })) - probesBefore, 3);
      const details = back!.details as { retest: { feedback: number; tested: number; quality: number; media: string[] } };
      assert.deepEqual(details.retest.media, ['messaging']);
      // combined, not overwritten: (0.2 + 2/3) / 2
      assert.equal(details.retest.feedback, 0.2);
      assert.ok(Math.abs(details.retest.tested - 2 / 3) < 1e-9);
      assert.ok(Math.abs(row.qualityScore! - (0.2 + 2 / 3) / 2) < 1e-9, `quality ${row.qualityScore}`);
      assert.deepEqual([row.voiceEnabled, row.smsEnabled, row.mmsEnabled], [true, false, true]);
      await recordHistory(h, 'endpoint-retest-feedback');
    }));

  it('the schedule re-tests an AVAILABLE number and pulls it from the shelf when its test calls no longer arrive', () =>
    withRetests(async ({ env, harness, shelve, waitFor }) => {
      const { address } = await shelve();
      harness.config.testOutcomes[address] = { voice: 'not_delivered' };
      // RETEST_EVERY is 30 days: a month on, the re-test runs by itself and routing fails
      await env.sleep(31 * DAY);
      await waitFor(address, 'REJECTED');
      const row = await rowOf(address);
      const [testing, pulled] = row.history.slice(-2);
      assert.deepEqual([testing!.toState, pulled!.toState], ['TESTING', 'REJECTED']);
      assert.match(testing!.cause, /^scheduled re-test \(every 30 days\): re-test$/);
      assert.match(pulled!.cause, /^pulled from the shelf: re-test failed \(scheduled re-test \(every 30 days\)\): routing to the platform failed/);
      assert.equal((pulled!.details as { retest: { failed: boolean } }).retest.failed, true);
      await recordHistory(env.client.workflow.getHandle(endpointWorkflowId(address)), 'endpoint-retest-scheduled-pulled');
    }));

  it('a failed call the router reports re-tests an ALLOCATED number; failing, it stays with its holder and the platform is alerted by a signed webhook', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    let refuseFirst = true;
    const platform = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        // the platform is away once: the alert is retried
        res.writeHead(refuseFirst ? 503 : 204).end();
        refuseFirst = false;
      });
    });
    platform.listen(0, '127.0.0.1');
    await new Promise((r) => platform.once('listening', r));
    const url = `http://127.0.0.1:${(platform.address() as AddressInfo).port}/alerts`;
    try {
      await withRetests(
        async ({ env, harness, shelve, waitFor }) => {
          const { address, h } = await shelve();
          await timeskipDb().account.upsert({ where: { id: 'acct-retest' }, create: { id: 'acct-retest', name: 'retest' }, update: {} });
          await h.executeUpdate(allocateUpdate, { args: [{ accountId: 'acct-retest' }] });
          const allocated = await waitFor(address, 'ALLOCATED');
          harness.config.testOutcomes[address] = { voice: 'wrong_number' };
          await h.signal(retestSignal, { reason: 'the call router reports a failed call', capabilities: ['voice'] });
          await env.sleep(10 * 60_000);
          const after = await waitFor(address, 'ALLOCATED', (s) => s.version > allocated.version + 1);
          assert.equal(after.accountId, 'acct-retest');
          assert.deepEqual(after.enabled, { voice: false, sms: false, mms: false, fax: false });
          const row = await rowOf(address);
          const last = row.history.at(-1)!;
          assert.match(last.cause, /^re-test failed \(the call router reports a failed call\): routing to the platform failed/);
          assert.equal((last.details as { holderAlerted: boolean }).holderAlerted, true);
          // the alert, retried after the platform's 503 (10 s later: skipped time)
          for (let i = 0; i < 100 && received.length < 2; i++) {
            await env.sleep(15_000);
            await new Promise((r) => setTimeout(r, 50));
          }
          assert.equal(received.length, 2, 'one refused, one taken');
          const alert = JSON.parse(received[1]!.body) as { type: string; accountId: string; address: string; failed: boolean; alertId: string };
          assert.deepEqual([alert.type, alert.accountId, alert.address, alert.failed], ['endpoint.retest_failed', 'acct-retest', address, true]);
          assert.equal((JSON.parse(received[0]!.body) as { alertId: string }).alertId, alert.alertId, 'the retry is the same alert');
          const verdict = verifyWebhook(
            'platform-secret-0123456789',
            { 'x-carrier-signature': received[1]!.headers['x-inventory-signature'], 'x-carrier-timestamp': received[1]!.headers['x-inventory-timestamp'] },
            received[1]!.body,
            { toleranceSeconds: 86_400 },
          );
          assert.deepEqual(verdict, { ok: true });
          await recordHistory(h, 'endpoint-retest-allocated-alerted');
        },
        { PLATFORM_WEBHOOK_URL: url, PLATFORM_WEBHOOK_SECRET: 'platform-secret-0123456789' },
      );
    } finally {
      platform.close();
    }
  });
});
