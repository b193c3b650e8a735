// The carrier network's side of a capability test, simulated: asked for a
// test call, SMS, MMS or fax to (or from) a number, it delivers it to the
// platform's inbound entry after a delay — or fails the way a real network
// does: never delivered, delivered to another number, delivered after the
// platform stopped waiting, or (voice) with one-way audio. What happens to a
// number is set per number and medium (explicit), else drawn at the
// configured rate from a seeded PRNG of its own (never a hash of the number):
// a test can force an outcome, and a run can be replayed from its seed.
// The HTTP simulator delivers with a signed POST; the worker's in-process
// simulated harness (HARNESS=simulated, tests and benchmarks) hands arrivals
// straight to the inbound use case.
import { z } from 'zod';
import { FAILURE_OUTCOMES, TEST_MEDIA, type SimulatedOutcome, type TestArrival, type TestMedium, type TestTrafficRequest } from '../../domain/harness';

const rate = z.number().min(0).max(1);
const outcome = z.enum(['delivered', ...FAILURE_OUTCOMES]);
const perMedium = <T extends z.ZodType>(value: T) =>
  z.strictObject(Object.fromEntries(TEST_MEDIA.map((m) => [m, value.optional()])) as Record<TestMedium, z.ZodOptional<T>>);

export const testTrafficBehaviour = {
  /** how long a delivered test takes to arrive */
  testDelayMs: z.number().int().min(0).max(600_000),
  /** how long a `late` one takes (longer than the platform waits) */
  testLateDelayMs: z.number().int().min(0).max(3_600_000),
  /** per medium, the rate of each failure */
  testFailureRates: perMedium(
    z.strictObject({ not_delivered: rate.optional(), wrong_number: rate.optional(), late: rate.optional(), one_way_audio: rate.optional() }),
  ),
  /** per number (E.164), per medium: the outcome, whatever the rates */
  testOutcomes: z.record(z.string().min(1).max(100), perMedium(outcome)),
};
export const testTrafficDefaults = { testDelayMs: 20, testLateDelayMs: 120_000, testFailureRates: {}, testOutcomes: {} };

export interface TestTrafficConfig {
  testDelayMs: number;
  testLateDelayMs: number;
  testFailureRates: Partial<Record<TestMedium, Partial<Record<Exclude<SimulatedOutcome, 'delivered'>, number>>>>;
  testOutcomes: Record<string, Partial<Record<TestMedium, SimulatedOutcome>>>;
}

export interface TestTrafficStats {
  /** tests asked for, per medium */
  requested: Record<TestMedium, number>;
  /** what the network did with each, by outcome */
  outcomes: Record<SimulatedOutcome, number>;
  /** arrivals handed over (late ones included) / not taken by the platform */
  delivered: number;
  deliveryFailed: number;
}

export const emptyTestTrafficStats = (): TestTrafficStats => ({
  requested: { voice: 0, sms: 0, mms: 0, fax: 0 },
  outcomes: { delivered: 0, not_delivered: 0, wrong_number: 0, late: 0, one_way_audio: 0 },
  delivered: 0,
  deliveryFailed: 0,
});

/** the carrier's own test line: the caller of inbound tests, the callee of outbound ones */
export const TEST_LINE = '+12025550100';

/** Another number than `address` (the last digit changed): where a misrouted test lands. */
export function wrongNumber(address: string): string {
  const last = address.at(-1);
  if (!last || !/\d/.test(last)) return `${address}0`;
  return `${address.slice(0, -1)}${(Number(last) + 1) % 10}`;
}

export interface TestTrafficDecision {
  outcome: SimulatedOutcome;
  /** null: never delivered */
  arrival: TestArrival | null;
  delayMs: number;
}

/**
 * Decides what the network does with one request: the number's explicit
 * outcome for the medium, else one draw from `random` against the medium's
 * rates (in FAILURE_OUTCOMES order). Pure apart from `random`.
 */
export function decideTestTraffic(config: TestTrafficConfig, req: TestTrafficRequest, random: () => number): TestTrafficDecision {
  let outcome: SimulatedOutcome = config.testOutcomes[req.address]?.[req.medium] ?? 'delivered';
  if (config.testOutcomes[req.address]?.[req.medium] === undefined) {
    const rates = config.testFailureRates[req.medium] ?? {};
    let draw = random();
    for (const o of FAILURE_OUTCOMES) {
      const r = rates[o] ?? 0;
      if (draw < r) {
        outcome = o;
        break;
      }
      draw -= r;
    }
  }
  if (outcome === 'one_way_audio' && req.medium !== 'voice') outcome = 'delivered';
  if (outcome === 'not_delivered') return { outcome, arrival: null, delayMs: 0 };
  const number = outcome === 'wrong_number' ? wrongNumber(req.address) : req.address;
  const arrival: TestArrival = {
    medium: req.medium,
    direction: req.direction,
    to: req.direction === 'inbound' ? number : TEST_LINE,
    from: req.direction === 'inbound' ? TEST_LINE : number,
    payload: req.payload,
    ...(req.medium === 'voice' ? { audio: outcome === 'one_way_audio' ? ('one_way' as const) : ('two_way' as const) } : {}),
  };
  return { outcome, arrival, delayMs: outcome === 'late' ? config.testLateDelayMs : config.testDelayMs };
}

/**
 * A simulated carrier network's test-call API: `request` answers at once and
 * hands the arrival to `deliver` later (retrying a delivery the platform did
 * not take, a few times). `flush` waits for everything scheduled.
 */
export function createTestTraffic(opts: {
  config: () => TestTrafficConfig;
  random: () => number;
  deliver: (arrival: TestArrival) => Promise<boolean>;
  /** aborts pending deliveries */
  signal?: AbortSignal;
  retries?: number;
}) {
  const stats = emptyTestTrafficStats();
  const pending = new Set<Promise<void>>();
  let next = 1;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (opts.signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', done);
        resolve();
      }
      opts.signal?.addEventListener('abort', done, { once: true });
    });
  return {
    stats,
    /** Answers once the test is placed; one delivered without delay has reached `deliver` by then. */
    async request(req: TestTrafficRequest): Promise<{ testId: string; outcome: SimulatedOutcome }> {
      const decision = decideTestTraffic(opts.config(), req, opts.random);
      stats.requested[req.medium]++;
      stats.outcomes[decision.outcome]++;
      const testId = `TEST-${next++}`;
      const arrival = decision.arrival;
      if (arrival) {
        const work = (async () => {
          if (decision.delayMs > 0) await sleep(decision.delayMs);
          for (let attempt = 0; attempt <= (opts.retries ?? 5) && !opts.signal?.aborted; attempt++) {
            if (await opts.deliver(arrival).catch(() => false)) {
              stats.delivered++;
              return;
            }
            await sleep(Math.min(100 * 2 ** attempt, 2_000));
          }
          stats.deliveryFailed++;
        })();
        pending.add(work);
        void work.finally(() => pending.delete(work));
        if (decision.delayMs === 0) await work;
      }
      return { testId, outcome: decision.outcome };
    },
    async flush(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
export type TestTraffic = ReturnType<typeof createTestTraffic>;
