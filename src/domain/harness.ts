// The capability tests' vocabulary: what the platform asks a carrier's
// test-call API for (a call, an SMS, an MMS or a fax to — or, for the outbound
// call, from — the number, carrying a nonce), what arrives back at the
// platform's inbound entry, and how the simulated carrier network is told to
// fail. Pure: the workflow judges arrivals with workflows/endpoint.machine.ts.
import type { CapabilityTest } from './endpoint';

/** what the carrier network carries for a test */
export type TestMedium = 'voice' | 'sms' | 'mms' | 'fax';
export const TEST_MEDIA: readonly TestMedium[] = ['voice', 'sms', 'mms', 'fax'];

/** inbound: the carrier places it to the number; outbound: from the number to the carrier's test line */
export type TestDirection = 'inbound' | 'outbound';

/** What each test asks the carrier network for. Routing is a voice call whose arrival must be routed as the lookup says. */
export const TEST_TRAFFIC: Readonly<Record<CapabilityTest, { medium: TestMedium; direction: TestDirection }>> = {
  routing: { medium: 'voice', direction: 'inbound' },
  inbound_call: { medium: 'voice', direction: 'inbound' },
  outbound_call: { medium: 'voice', direction: 'outbound' },
  sms: { medium: 'sms', direction: 'inbound' },
  mms: { medium: 'mms', direction: 'inbound' },
  fax: { medium: 'fax', direction: 'inbound' },
};

/** The ways the simulated carrier network makes a test fail (one_way_audio: voice only). */
export type SimulatedOutcome = 'delivered' | 'not_delivered' | 'wrong_number' | 'late' | 'one_way_audio';
export const FAILURE_OUTCOMES = ['not_delivered', 'wrong_number', 'late', 'one_way_audio'] as const;
export type FailureOutcome = (typeof FAILURE_OUTCOMES)[number];

/** per medium, the rate of each failure (drawn from the simulator's seeded PRNG) */
export type FailureRates = Partial<Record<TestMedium, Partial<Record<FailureOutcome, number>>>>;

/**
 * "sms:not_delivered=0.05,voice:one_way_audio=0.01" → { sms: { not_delivered: 0.05 }, voice: { one_way_audio: 0.01 } };
 * throws naming the bad part.
 */
export function parseFailureRates(text: string): FailureRates {
  const rates: FailureRates = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+):([a-z_]+)=(.*)$/.exec(part);
    if (!m) throw new Error(`"${part}" is not medium:outcome=rate (e.g. sms:not_delivered=0.05)`);
    const [, medium, outcome, value] = m as unknown as [string, string, string, string];
    if (!TEST_MEDIA.includes(medium as TestMedium)) throw new Error(`unknown medium "${medium}" (one of ${TEST_MEDIA.join(', ')})`);
    if (!(FAILURE_OUTCOMES as readonly string[]).includes(outcome)) throw new Error(`unknown outcome "${outcome}" (one of ${FAILURE_OUTCOMES.join(', ')})`);
    if (outcome === 'one_way_audio' && medium !== 'voice') throw new Error(`one_way_audio is a voice outcome, not ${medium}`);
    const rate = Number(value);
    if (!(value.trim() !== '' && rate >= 0 && rate <= 1)) throw new Error(`rate of ${medium}:${outcome} must be between 0 and 1, got "${value}"`);
    (rates[medium as TestMedium] ??= {})[outcome as FailureOutcome] = rate;
  }
  return rates;
}

/** The payload a test carries (an SMS's text, a call's caller name / SIP header, a fax page's line): the nonce the platform checks. */
export const testPayload = (nonce: string): string => `ei-test ${nonce}`;
const NONCE = /\bei-test ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/;
/** The nonce in an arrival's payload, or null: not a test (ordinary traffic) or a mangled payload. */
export function nonceOf(payload: string): string | null {
  return NONCE.exec(payload)?.[1] ?? null;
}

/** A test call or message requested of a carrier network. */
export interface TestTrafficRequest {
  /** the number under test */
  address: string;
  medium: TestMedium;
  direction: TestDirection;
  /** what the call or message carries (testPayload(nonce)) */
  payload: string;
}

/** What reached the platform's inbound entry. */
export interface TestArrival {
  medium: TestMedium;
  direction: TestDirection;
  /** the number it was delivered to (inbound), or the carrier's test line (outbound) */
  to: string;
  /** the caller / sender: the carrier's test line (inbound), or the number under test as the carrier saw it (outbound) */
  from: string;
  payload: string;
  /** voice: whether audio went both ways */
  audio?: 'two_way' | 'one_way';
}

/** What the inbound entry hands the endpoint's workflow (the signal), for the test with `nonce`. */
export interface ProbeArrival {
  nonce: string;
  /** the number the traffic reached (inbound) or came from (outbound), as the carrier says */
  number: string;
  /** for inbound traffic: whether the entry routed it where the routing lookup says the tested number goes */
  routedAsLookup: boolean;
  /** where the entry routed it, and where the lookup says the tested number goes (for the detail) */
  routedTo: string;
  expectedRoute: string;
  oneWayAudio: boolean;
  /** epoch ms when it reached the entry */
  at: number;
}
