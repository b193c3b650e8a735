// The capability tests' harness on the real stack (issue 18): the worker asks
// the carrier simulator's test-call API (HARNESS=carrier, over HTTP) for a
// test call / SMS / MMS / fax to each number; the simulator delivers it to
// the API's signed inbound entry (POST /v1/carriers/{id}/inbound), which
// hands it to the number's workflow waiting with a timer. Each outcome the
// simulator can force is seen in the verdict: passes, not delivered, wrong
// number (routed elsewhere than the lookup says), too late, one-way audio.
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { createSimulator, type Simulator } from '../../src/carriers/simulator/simulator';
import { signWebhook } from '../../src/carriers/webhook';
import { lifecyclePolicy } from '../../src/config';
import { testPayload } from '../../src/domain/harness';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { TemporalGateway } from '../../src/temporal/gateway';
import { createWorker } from '../../workers/worker';
import { serve } from '../support/http';
import { SHARED_TASK_QUEUE, apiKey, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

const CARRIER = 'harness-carrier';
const SECRET = 'harness-carrier-secret';

interface TestResultRow {
  test: string;
  passed: boolean;
  detail: string;
}

describe('the capability tests place real test traffic through the carrier network (HARNESS=carrier)', function () {
  this.timeout(120_000);
  const queue = SHARED_TASK_QUEUE;
  const config = () =>
    testConfig({
      TEMPORAL_TASK_QUEUE: queue,
      HARNESS: 'carrier',
      QUARANTINE_NEW: '1s',
      HARNESS_TIMEOUT_VOICE: '8s',
      HARNESS_TIMEOUT_SMS: '8s',
      HARNESS_TIMEOUT_MMS: '8s',
      HARNESS_TIMEOUT_FAX: '8s',
    });
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let api: Awaited<ReturnType<typeof serve>>;
  let simServer: Awaited<ReturnType<typeof serve>>;
  let sim: Simulator;

  // real area code 415: valid numbers for libphonenumber
  const base = 4_155_557_000 + Math.floor(Math.random() * 90) * 10;
  const numbers = {
    passes: `+1${base + 1}`,
    smsNotDelivered: `+1${base + 2}`,
    wrongNumber: `+1${base + 8}`,
    mmsLate: `+1${base + 4}`,
    oneWayAudio: `+1${base + 5}`,
    faxNotDelivered: `+1${base + 6}`,
  };

  before(async () => {
    ({ client } = await temporalClient());
    native = await nativeConnection();
    const gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
    api = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: config() }));
    sim = createSimulator({
      carriers: [{ id: CARRIER, secret: SECRET, testDelayMs: 100, testLateDelayMs: 12_000 }],
      webhookBase: `${api.url}/v1/carriers`,
      trafficUrl: `${api.url}/v1/traffic`,
      seed: 18,
    });
    simServer = await serve(sim.app);
    await db().provider.upsert({
      where: { id: CARRIER },
      create: { id: CARRIER, name: CARRIER, kind: 'API', apiBaseUrl: `${simServer.url}/carriers/${CARRIER}`, webhookSecret: SECRET },
      update: { active: true, apiBaseUrl: `${simServer.url}/carriers/${CARRIER}`, webhookSecret: SECRET },
    });
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
  });

  after(async () => {
    worker.shutdown();
    await running;
    // not a carrier other suites order from
    await db().provider.update({ where: { id: CARRIER }, data: { active: false } });
    sim.close();
    await simServer.close();
    await api.close();
  });

  const settle = async (address: string, ms = 60_000, extra: (row: { version: number }) => boolean = () => true) => {
    const end = Date.now() + ms;
    for (;;) {
      const row = await db().endpoint.findUnique({ where: { address }, include: { history: { orderBy: { version: 'asc' } } } });
      if (row && (row.state === 'AVAILABLE' || row.state === 'REJECTED') && extra(row)) return row;
      if (Date.now() > end) throw new Error(`${address} still ${row?.state}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const resultsOf = (row: Awaited<ReturnType<typeof settle>>): Map<string, TestResultRow> => {
    const details = row.history.at(-1)!.details as { results?: TestResultRow[] };
    return new Map((details.results ?? []).map((r) => [r.test, r]));
  };

  it('each outcome of the carrier network decides the verdict', async () => {
    sim.configure(CARRIER, {
      testOutcomes: {
        [numbers.smsNotDelivered]: { sms: 'not_delivered' },
        [numbers.wrongNumber]: { voice: 'wrong_number' },
        [numbers.mmsLate]: { mms: 'late' },
        [numbers.oneWayAudio]: { voice: 'one_way_audio' },
        [numbers.faxNotDelivered]: { fax: 'not_delivered' },
      },
    });
    const result = await ingestEndpoints(
      { db: db(), client, taskQueue: queue, policy: lifecyclePolicy(config()) },
      Object.values(numbers).map((address) => ({ address, capable: { voice: true, sms: true, mms: true, fax: true } })),
      { entry: 'quarantine', actor: 'test', providerId: CARRIER },
    );
    assert.equal(result.accepted.length, 6, JSON.stringify(result.rejected));

    // passes: every test call and message arrived at the inbound entry, at the right number, with its nonce
    const passes = await settle(numbers.passes);
    assert.equal(passes.state, 'AVAILABLE');
    assert.deepEqual(
      [passes.voiceEnabled, passes.smsEnabled, passes.mmsEnabled, passes.faxEnabled],
      [true, true, true, true],
      JSON.stringify([...resultsOf(passes).values()]),
    );
    const passed = resultsOf(passes);
    assert.deepEqual([...passed.keys()].sort(), ['fax', 'inbound_call', 'mms', 'outbound_call', 'routing', 'sms']);
    for (const r of passed.values()) assert.deepEqual([r.passed, r.detail], [true, 'arrived'], r.test);

    // not delivered: the SMS never arrives; the wait's timer ends it, the rest is offered
    const noSms = await settle(numbers.smsNotDelivered);
    assert.equal(noSms.state, 'AVAILABLE');
    assert.deepEqual([noSms.voiceEnabled, noSms.smsEnabled, noSms.mmsEnabled], [true, false, true], JSON.stringify([...resultsOf(noSms).values()]));
    assert.match(resultsOf(noSms).get('sms')!.detail, /nothing arrived at the inbound entry within 8 s/);

    // fax is a tested capability: a fax that never arrives is not offered
    const noFax = await settle(numbers.faxNotDelivered);
    assert.deepEqual([noFax.state, noFax.voiceEnabled, noFax.faxEnabled], ['AVAILABLE', true, false]);
    assert.match(resultsOf(noFax).get('fax')!.detail, /nothing arrived/);

    // wrong place: the test call lands on another number, routed where the lookup does not send this one
    const wrong = await settle(numbers.wrongNumber);
    assert.equal(wrong.state, 'REJECTED');
    assert.match(wrong.history.at(-1)!.cause, /routing to the platform failed/);
    const wrongResults = resultsOf(wrong);
    assert.match(wrongResults.get('routing')!.detail, /routed to nowhere \(not a number of the platform\); the routing lookup says .* goes to the test sink/);
    assert.match(wrongResults.get('inbound_call')!.detail, /^delivered to \+1\d+, not \+1/);
    assert.match(wrongResults.get('outbound_call')!.detail, /^the call arrived from \+1\d+, not from/);
    assert.equal(wrongResults.get('sms')!.passed, true);

    // too late: the MMS arrives after the wait ended; it fails, and its late arrival is recorded
    const late = await settle(numbers.mmsLate);
    assert.deepEqual([late.state, late.smsEnabled, late.mmsEnabled], ['AVAILABLE', true, false]);
    assert.match(resultsOf(late).get('mms')!.detail, /nothing arrived at the inbound entry within 8 s/);

    // one-way audio: the calls arrive, but audio went one way only
    const oneWay = await settle(numbers.oneWayAudio);
    assert.equal(oneWay.state, 'REJECTED');
    for (const t of ['routing', 'inbound_call', 'outbound_call']) assert.equal(resultsOf(oneWay).get(t)!.detail, 'one-way audio', t);

    // the late MMS reached the entry after its deadline: recorded as arrived, never counted
    await sim.flush();
    const probe = await db().capabilityProbe.findFirstOrThrow({ where: { address: numbers.mmsLate, test: 'mms' }, orderBy: { requestedAt: 'desc' } });
    assert.ok(probe.arrivedAt && probe.arrivedAt > probe.deadlineAt, `arrived ${probe.arrivedAt?.toISOString()} after ${probe.deadlineAt.toISOString()}`);
    const stats = sim.stats().carriers[CARRIER]!.tests;
    assert.equal(stats.outcomes.late, 1);
    assert.equal(stats.outcomes.not_delivered, 2);
    assert.equal(stats.requested.fax, 6);
  });

  it('the inbound entry takes only the carrier’s signature, and says what it did with an arrival', async () => {
    const body = JSON.stringify({ medium: 'sms', direction: 'inbound', to: numbers.passes, from: '+12025550100', payload: 'hello, not a test' });
    const post = (raw: string, secret = SECRET) => {
      const ts = Math.floor(Date.now() / 1000);
      return fetch(`${api.url}/v1/carriers/${CARRIER}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-carrier-timestamp': String(ts), 'x-carrier-signature': signWebhook(secret, ts, raw) },
        body: raw,
      });
    };
    const forged = await post(body, 'not-the-secret');
    assert.equal(forged.status, 401);
    const ordinary = await post(body);
    assert.equal(ordinary.status, 202);
    assert.deepEqual(await ordinary.json(), { status: 'not_a_test' });
    // a test's arrival again (the carrier re-sends): taken once
    const probe = await db().capabilityProbe.findFirstOrThrow({ where: { address: numbers.passes, test: 'sms' } });
    const again = await post(
      JSON.stringify({ medium: 'sms', direction: 'inbound', to: numbers.passes, from: '+12025550100', payload: testPayload(probe.nonce) }),
    );
    assert.deepEqual([again.status, await again.json()], [202, { status: 'duplicate' }]);
    const bad = await post(JSON.stringify({ medium: 'pigeon', direction: 'inbound', to: numbers.passes, from: 'x', payload: 'y' }));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /medium/);
  });

  it('a failed call the router reports re-tests the number for real: its test calls now arrive with one-way audio, so it leaves the shelf', async () => {
    const router = await apiKey('ROUTER');
    const before = await db().endpoint.findUniqueOrThrow({ where: { address: numbers.passes } });
    assert.equal(before.state, 'AVAILABLE');
    sim.configure(CARRIER, { testOutcomes: { [numbers.passes]: { voice: 'one_way_audio' }, [numbers.smsNotDelivered]: { sms: 'not_delivered' } } });
    const res = await fetch(`${api.url}/v1/traffic/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${router}` },
      body: JSON.stringify({ address: numbers.passes, capability: 'voice', reason: 'no audio from the callee' }),
    });
    assert.equal(res.status, 202, await res.text());
    const row = await settle(numbers.passes, 60_000, (r) => r.version > before.version + 1);
    assert.equal(row.state, 'REJECTED');
    const [testing, pulled] = row.history.slice(-2);
    assert.equal(testing!.cause, 'the call router reports a failed call (no audio from the callee): re-test');
    assert.match(
      pulled!.cause,
      /^pulled from the shelf: re-test failed \(the call router reports a failed call .*\): routing to the platform failed; routing: one-way audio; .*quality 0\.25 \(tests 1\/4\)$/,
    );
    // the voice medium only (calls and fax), placed through the carrier again; the fax still arrives
    assert.deepEqual([...resultsOf(row).keys()].sort(), ['fax', 'inbound_call', 'outbound_call', 'routing']);
    assert.equal(resultsOf(row).get('fax')!.passed, true);

    // operators see it on /metrics
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    assert.match(metrics, /endpoint_inventory_failed_retests\{outcome="pulled"\} [1-9]/);
  });

  it("a carrier's signed registration change re-tests its numbers in service, every medium", async () => {
    const before = await db().endpoint.findUniqueOrThrow({ where: { address: numbers.smsNotDelivered } });
    assert.deepEqual([before.state, before.smsEnabled], ['AVAILABLE', false]);
    const raw = JSON.stringify({ numbers: [numbers.smsNotDelivered, '+14155550000'], change: 'moved to a new switch' });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${api.url}/v1/carriers/${CARRIER}/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-carrier-timestamp': String(ts), 'x-carrier-signature': signWebhook(SECRET, ts, raw) },
      body: raw,
    });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { status: 'accepted', retesting: 1, notOurs: ['+14155550000'] });
    const row = await settle(numbers.smsNotDelivered, 60_000, (r) => r.version > before.version + 1);
    assert.equal(row.state, 'AVAILABLE');
    assert.match(row.history.at(-2)!.cause, /^carrier harness-carrier registration change: moved to a new switch: re-test$/);
    assert.deepEqual([...resultsOf(row).keys()].sort(), ['fax', 'inbound_call', 'mms', 'outbound_call', 'routing', 'sms']);
    // still no SMS: not offered; the rest still is
    assert.deepEqual([row.voiceEnabled, row.smsEnabled, row.mmsEnabled, row.faxEnabled], [true, false, true, true]);
  });
});
