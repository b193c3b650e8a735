// The test harness the capability tests run against: places calls and sends
// messages to an endpoint and watches them arrive. The real one drives test
// devices through carriers; the simulator below stands in for it in the demo
// and the tests.
import { createHash } from 'node:crypto';
import type { CapabilityTest } from '../domain/endpoint';

export interface HarnessResult {
  passed: boolean;
  detail: string;
}

export interface TestHarness {
  run(address: string, test: CapabilityTest): Promise<HarnessResult>;
}

export type FailureRates = Partial<Record<CapabilityTest, number>>;

export const CAPABILITY_TESTS: readonly CapabilityTest[] = ['inbound_call', 'outbound_call', 'sms', 'mms', 'routing'];

/** "sms=0.1,mms=0.5" → { sms: 0.1, mms: 0.5 }; throws naming the bad part. */
export function parseFailureRates(text: string): FailureRates {
  const rates: FailureRates = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=');
    if (!name || !CAPABILITY_TESTS.includes(name as CapabilityTest)) {
      throw new Error(`unknown capability test "${name}" (one of ${CAPABILITY_TESTS.join(', ')})`);
    }
    const rate = Number(value);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`rate of ${name} must be between 0 and 1, got "${value}"`);
    rates[name as CapabilityTest] = rate;
  }
  return rates;
}

/**
 * Fails each test at its configured rate. The draw is a hash of the address
 * and the test, so a given number fails the same tests every time: results
 * are reproducible and a retried activity does not flip a verdict.
 */
export class SimulatedHarness implements TestHarness {
  readonly runs = new Map<CapabilityTest, number>();

  constructor(
    private readonly rates: FailureRates = {},
    private readonly seed = 'endpoint-inventory',
  ) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- the simulated harness keeps the async signature of a real one
  async run(address: string, test: CapabilityTest): Promise<HarnessResult> {
    this.runs.set(test, (this.runs.get(test) ?? 0) + 1);
    const rate = this.rates[test] ?? 0;
    const draw = createHash('sha256').update(`${this.seed}|${address}|${test}`).digest().readUInt32BE(0) / 2 ** 32;
    return draw < rate ? { passed: false, detail: `simulated ${test} failure (rate ${rate})` } : { passed: true, detail: 'ok' };
  }
}
