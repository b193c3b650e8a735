// The harness's pure parts: the simulated carrier network's decisions
// (explicit per number, else seeded draws at the configured rates — never a
// hash of the number), the failure-rate setting, and the verdict on an
// arrival at the inbound entry.
import assert from 'node:assert/strict';
import { decideTestTraffic, wrongNumber, type TestTrafficConfig } from '../../src/carriers/simulator/test-traffic';
import { mulberry32 } from '../../src/carriers/simulator/simulator';
import { nonceOf, parseFailureRates, testPayload, type TestTrafficRequest } from '../../src/domain/harness';
import { judgeArrival, testsFor, type Arrival } from '../../workflows/endpoint.machine';

const NONCE = '0b7e4c1a-3f3e-4d2a-9a51-0c1d2e3f4a5b';
const req = (address: string, medium: TestTrafficRequest['medium'], direction: TestTrafficRequest['direction'] = 'inbound'): TestTrafficRequest => ({
  address,
  medium,
  direction,
  payload: testPayload(NONCE),
});
const config = (over: Partial<TestTrafficConfig> = {}): TestTrafficConfig => ({
  testDelayMs: 5,
  testLateDelayMs: 500,
  testFailureRates: {},
  testOutcomes: {},
  ...over,
});

describe('harness: the simulated carrier network', () => {
  it('delivers to the number with the payload, by default', () => {
    const d = decideTestTraffic(config(), req('+14155550101', 'sms'), () => 0);
    assert.equal(d.outcome, 'delivered');
    assert.deepEqual(d.arrival, { medium: 'sms', direction: 'inbound', to: '+14155550101', from: '+12025550100', payload: `ei-test ${NONCE}` });
    assert.equal(d.delayMs, 5);
  });

  it('fails a number per medium as set for it, whatever the rates', () => {
    const c = config({ testOutcomes: { '+14155550101': { voice: 'one_way_audio', mms: 'late', sms: 'not_delivered', fax: 'wrong_number' } } });
    assert.equal(decideTestTraffic(c, req('+14155550101', 'voice'), () => 0.99).arrival?.audio, 'one_way');
    const late = decideTestTraffic(c, req('+14155550101', 'mms'), () => 0.99);
    assert.deepEqual([late.outcome, late.delayMs], ['late', 500]);
    assert.equal(decideTestTraffic(c, req('+14155550101', 'sms'), () => 0.99).arrival, null);
    assert.equal(decideTestTraffic(c, req('+14155550101', 'fax'), () => 0.99).arrival?.to, '+14155550102');
    // the outbound call's wrong place is the caller id the test line sees
    const out = decideTestTraffic(config({ testOutcomes: { '+14155550109': { voice: 'wrong_number' } } }), req('+14155550109', 'voice', 'outbound'), () => 0);
    assert.deepEqual([out.arrival?.from, out.arrival?.to], ['+14155550100', '+12025550100']);
    // another number's outcome is its own
    assert.equal(decideTestTraffic(c, req('+14155550199', 'sms'), () => 0.99).outcome, 'delivered');
  });

  it('draws rates from the seeded PRNG: the same number fails on one draw and passes on another', () => {
    const c = config({ testFailureRates: { sms: { not_delivered: 0.5 } } });
    const random = mulberry32(7);
    const outcomes = Array.from({ length: 200 }, () => decideTestTraffic(c, req('+14155550101', 'sms'), random).outcome);
    const failed = outcomes.filter((o) => o === 'not_delivered').length;
    assert.ok(failed > 70 && failed < 130, `${failed} of 200 at rate 0.5`);
    // replayable from its seed
    const again = mulberry32(7);
    assert.deepEqual(
      Array.from({ length: 200 }, () => decideTestTraffic(c, req('+14155550101', 'sms'), again).outcome),
      outcomes,
    );
    // rates of several outcomes partition one draw
    const split = config({ testFailureRates: { voice: { not_delivered: 0.25, wrong_number: 0.25, late: 0.25, one_way_audio: 0.25 } } });
    assert.deepEqual(
      [0.1, 0.3, 0.6, 0.9].map((x) => decideTestTraffic(split, req('+14155550101', 'voice'), () => x).outcome),
      ['not_delivered', 'wrong_number', 'late', 'one_way_audio'],
    );
  });

  it('wrongNumber is another number', () => {
    assert.equal(wrongNumber('+14155550109'), '+14155550100');
    assert.notEqual(wrongNumber('+14155550101'), '+14155550101');
  });
});

describe('harness: settings and payloads', () => {
  it('parses HARNESS_SIMULATED_FAILURES, naming the bad part', () => {
    assert.deepEqual(parseFailureRates('sms:not_delivered=0.05, voice:one_way_audio=0.01,voice:late=1'), {
      sms: { not_delivered: 0.05 },
      voice: { one_way_audio: 0.01, late: 1 },
    });
    assert.throws(() => parseFailureRates('routing=1'), /medium:outcome=rate/);
    assert.throws(() => parseFailureRates('pager:late=1'), /unknown medium "pager"/);
    assert.throws(() => parseFailureRates('sms:lost=1'), /unknown outcome "lost"/);
    assert.throws(() => parseFailureRates('sms:one_way_audio=0.1'), /voice outcome/);
    assert.throws(() => parseFailureRates('sms:late=2'), /between 0 and 1/);
  });

  it('finds the nonce in a payload, and nothing in ordinary traffic', () => {
    assert.equal(nonceOf(`fax page 1: ${testPayload(NONCE)}`), NONCE);
    assert.equal(nonceOf('hello'), null);
    assert.equal(nonceOf('ei-test not-a-uuid'), null);
  });
});

describe('harness: the verdict on an arrival', () => {
  const A = '+14155550101';
  const arrival = (over: Partial<Arrival> = {}): Arrival => ({
    number: A,
    routedAsLookup: true,
    routedTo: 'the test sink (not routed)',
    expectedRoute: 'the test sink (not routed)',
    oneWayAudio: false,
    at: 0,
    ...over,
  });
  it('passes an arrival at the right number, routed as the lookup says, with audio both ways', () => {
    for (const t of ['routing', 'inbound_call', 'outbound_call', 'sms', 'mms', 'fax'] as const)
      assert.equal(judgeArrival(A, t, arrival(), 1000).passed, true, t);
  });
  it('fails nothing arriving, another number, another route, one-way audio', () => {
    assert.match(judgeArrival(A, 'sms', undefined, 120_000).detail, /nothing arrived at the inbound entry within 120 s/);
    assert.match(judgeArrival(A, 'sms', arrival({ number: '+14155550102' }), 1).detail, /delivered to \+14155550102, not \+14155550101/);
    assert.match(judgeArrival(A, 'outbound_call', arrival({ number: '+14155550102' }), 1).detail, /arrived from \+14155550102/);
    assert.match(
      judgeArrival(A, 'routing', arrival({ routedAsLookup: false, routedTo: 'account acct-x (sip:x)' }), 1).detail,
      /routed to account acct-x \(sip:x\); the routing lookup says \+14155550101 goes to the test sink/,
    );
    assert.equal(judgeArrival(A, 'inbound_call', arrival({ oneWayAudio: true }), 1).detail, 'one-way audio');
    // one-way audio means nothing to an SMS
    assert.equal(judgeArrival(A, 'sms', arrival({ oneWayAudio: true }), 1).passed, true);
  });
  it('tests fax only where the run tests fax', () => {
    const capable = { voice: true, sms: false, mms: false, fax: true };
    assert.deepEqual(testsFor(capable, ['voice']), ['routing', 'inbound_call', 'outbound_call']);
    assert.deepEqual(testsFor(capable, ['voice'], true), ['routing', 'inbound_call', 'outbound_call', 'fax']);
  });
});
