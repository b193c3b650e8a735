// The endpoint lifecycle as pure functions: which transitions exist, what a
// quarantine period's traffic means, what test results mean, and why a
// request is refused. The workflow drives them; unit tests check them alone.
import type {
  AllocateInput,
  Capabilities,
  CapabilityTest,
  EndpointSnapshot,
  EndpointStateName,
  BackToShelfInput,
  LeaveShelfInput,
  LifecyclePolicy,
  Medium,
  PortOutInput,
  ReleaseInput,
  ReserveInput,
  RetestState,
} from './shared';

export const TRANSITIONS: Record<EndpointStateName, readonly EndpointStateName[]> = {
  ORDERED: ['QUARANTINE', 'REJECTED', 'RETIRED'],
  QUARANTINE: ['QUARANTINE', 'TESTING', 'REJECTED', 'RETIRED'],
  TESTING: ['AVAILABLE', 'ALLOCATED', 'REJECTED', 'RETIRED'],
  AVAILABLE: ['RESERVED', 'ALLOCATED', 'TESTING', 'RETIRED', 'RELEASING'],
  // RESERVED → RESERVED: its holder extends the reservation
  RESERVED: ['RESERVED', 'ALLOCATED', 'AVAILABLE'],
  ALLOCATED: ['AGING', 'TESTING', 'PORTING_OUT'],
  AGING: ['AGING', 'TESTING', 'REJECTED', 'RETIRED'],
  REJECTED: ['RETURNED', 'RETIRED', 'RELEASING'],
  // released at its carrier by the release order, then closed: RETIRED (it was on the shelf) or RETURNED (it was rejected)
  RELEASING: ['RETIRED', 'RETURNED', 'AVAILABLE', 'REJECTED'],
  RETURNED: [],
  PORTING_IN: ['ALLOCATED', 'REJECTED'],
  PORTING_OUT: ['PORTED_OUT'],
  PORTED_OUT: [],
  RETIRED: [],
};

export const FINAL_STATES: readonly EndpointStateName[] = ['RETURNED', 'PORTED_OUT', 'RETIRED'];

export function canTransition(from: EndpointStateName, to: EndpointStateName): boolean {
  return TRANSITIONS[from].includes(to);
}

/** 1 for a silent period, falling with each unwanted call or message. */
export function cleanliness(events: number, weight: number): number {
  return 1 / (1 + Math.max(0, events) * weight);
}

const MEDIA_OF: Record<keyof Capabilities, Medium> = { voice: 'voice', fax: 'voice', sms: 'messaging', mms: 'messaging' };

/** The media of some capabilities (a report about SMS re-tests messaging); unknown names are ignored. */
export function mediaOfCapabilities(caps: unknown): Medium[] | null {
  if (!Array.isArray(caps) || caps.length === 0) return null;
  const media = new Set<Medium>();
  for (const c of caps) if (typeof c === 'string' && c in MEDIA_OF) media.add(MEDIA_OF[c as keyof Capabilities]);
  return media.size ? [...media].sort() : null;
}

/** The media a number can carry at all. */
export function mediaOf(capable: Capabilities): Medium[] {
  const media = new Set<Medium>();
  for (const [cap, on] of Object.entries(capable) as [keyof Capabilities, boolean][]) {
    if (on) media.add(MEDIA_OF[cap]);
  }
  return [...media].sort();
}

export type QuarantineVerdict =
  { action: 'test'; media: Medium[]; reason: string } | { action: 'extend'; dirty: Medium[]; reason: string } | { action: 'reject'; reason: string };

/**
 * At the end of a quarantine (or aging) period: clean media go on to testing;
 * dirty ones earn an extension while extensions last; after that the number
 * is offered with its clean media only, or rejected when none is clean.
 */
export function evaluateQuarantine(s: EndpointSnapshot, p: LifecyclePolicy): QuarantineVerdict {
  const score: Record<Medium, number> = { voice: s.voiceCleanliness, messaging: s.messagingCleanliness };
  const events: Record<Medium, number> = { voice: s.voiceEvents, messaging: s.messagingEvents };
  const media = mediaOf(s.capable).filter((m) => !s.droppedMedia.includes(m));
  if (media.length === 0) return { action: 'reject', reason: 'no medium left to offer' };
  const dirty = media.filter((m) => score[m] < p.cleanThreshold);
  const clean = media.filter((m) => !dirty.includes(m));
  const describe = (ms: Medium[]) => ms.map((m) => `${m} ${events[m]} unwanted, cleanliness ${score[m].toFixed(2)}`).join('; ');
  if (dirty.length === 0) return { action: 'test', media: clean, reason: `clean: ${describe(clean)}` };
  if (s.extensions < p.maxExtensions) {
    return { action: 'extend', dirty, reason: `quarantine extended (${s.extensions + 1}/${p.maxExtensions}): ${describe(dirty)}` };
  }
  if (clean.length === 0) {
    return { action: 'reject', reason: `dirty after ${s.extensions} extensions: ${describe(dirty)}` };
  }
  return {
    action: 'test',
    media: clean,
    reason: `offered for ${clean.join(', ')} only; still dirty after ${s.extensions} extensions: ${describe(dirty)}`,
  };
}

/**
 * The tests that prove the capabilities a number would be offered with. Fax
 * is tested (and offered) only with `fax` — runs that began before fax was a
 * tested capability never test it, and never offer it.
 */
export function testsFor(capable: Capabilities, media: Medium[], fax = false): CapabilityTest[] {
  const tests: CapabilityTest[] = ['routing'];
  if (media.includes('voice') && capable.voice) tests.push('inbound_call', 'outbound_call');
  if (media.includes('messaging') && capable.sms) tests.push('sms');
  if (media.includes('messaging') && capable.mms) tests.push('mms');
  if (fax && media.includes('voice') && capable.fax) tests.push('fax');
  return tests;
}

/** What reached the inbound entry for one test (src/domain/harness.ts's ProbeArrival). */
export interface Arrival {
  number: string;
  routedAsLookup: boolean;
  routedTo: string;
  expectedRoute: string;
  oneWayAudio: boolean;
  at: number;
}

/**
 * One test's verdict from what arrived at the platform's inbound entry
 * before the timeout (undefined: nothing did): it must have reached (or, for
 * the outbound call, come from) the number under test, been routed where the
 * routing lookup says (routing), and carried audio both ways (voice).
 */
export function judgeArrival(address: string, test: CapabilityTest, arrival: Arrival | undefined, timeoutMs: number): TestResult {
  const fail = (detail: string): TestResult => ({ test, passed: false, detail });
  if (!arrival) return fail(`nothing arrived at the inbound entry within ${Math.round(timeoutMs / 1000)} s`);
  if (test === 'routing' && !arrival.routedAsLookup) {
    return fail(`delivered to ${arrival.number} and routed to ${arrival.routedTo}; the routing lookup says ${address} goes to ${arrival.expectedRoute}`);
  }
  if (arrival.number !== address) {
    return fail(test === 'outbound_call' ? `the call arrived from ${arrival.number}, not from ${address}` : `delivered to ${arrival.number}, not ${address}`);
  }
  const voice = test === 'routing' || test === 'inbound_call' || test === 'outbound_call';
  if (voice && arrival.oneWayAudio) return fail('one-way audio');
  return { test, passed: true, detail: 'arrived' };
}

export interface TestResult {
  test: CapabilityTest;
  passed: boolean;
  detail: string;
}

export type TestingVerdict = { passed: true; enabled: Capabilities; quality: number; reason: string } | { passed: false; quality: number; reason: string };

/**
 * What the results mean: routing must work; voice needs both call tests; each
 * messaging capability its own. Nothing enabled → rejected.
 */
export function evaluateTests(capable: Capabilities, media: Medium[], results: TestResult[]): TestingVerdict {
  const ok = (t: CapabilityTest) => results.some((r) => r.test === t && r.passed);
  const failed = results.filter((r) => !r.passed);
  const quality = results.length ? (results.length - failed.length) / results.length : 0;
  const failures = failed.map((r) => `${r.test}: ${r.detail}`).join('; ');
  if (!ok('routing')) return { passed: false, quality, reason: `routing to the platform failed: ${failures}` };
  const enabled: Capabilities = {
    voice: capable.voice && media.includes('voice') && ok('inbound_call') && ok('outbound_call'),
    sms: capable.sms && media.includes('messaging') && ok('sms'),
    mms: capable.mms && media.includes('messaging') && ok('mms'),
    // tested only where the run tests fax (testsFor's flag): before, never offered
    fax: capable.fax && media.includes('voice') && ok('fax'),
  };
  const on = (Object.keys(enabled) as (keyof Capabilities)[]).filter((k) => enabled[k]);
  if (on.length === 0) return { passed: false, quality, reason: `no capability passed: ${failures}` };
  return {
    passed: true,
    enabled,
    quality,
    reason: `tests passed for ${on.join(', ')}${failures ? `; failed: ${failures}` : ''}`,
  };
}

// ------------------------------------------------------------ request checks
// Each returns why a request is refused, or null. Used by the update
// validators (before anything enters history) and again inside the handlers,
// where the state may have moved while the request waited its turn.

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

function accountProblem(accountId: unknown): string | null {
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    return 'accountId: must be 1-64 letters, digits, or _ . : - (starting with a letter or digit)';
  }
  return null;
}

export function refuseAllocate(s: EndpointSnapshot, input: AllocateInput): string | null {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update arguments arrive unchecked: a null one is refused, not thrown on
  const bad = accountProblem(input?.accountId);
  if (bad) return bad;
  if (input.applicationUri !== undefined && (typeof input.applicationUri !== 'string' || !/^(https?|sip):\S+$/.test(input.applicationUri))) {
    return 'applicationUri: must be an http(s) or sip URI';
  }
  if (s.state === 'AVAILABLE') return null;
  if (s.state === 'RESERVED') {
    return s.accountId === input.accountId ? null : 'endpoint is reserved for another account';
  }
  if (s.state === 'ALLOCATED' && s.accountId === input.accountId) return 'endpoint is already allocated to this account';
  return `endpoint is ${s.state}, not AVAILABLE`;
}

export function refuseReserve(s: EndpointSnapshot, input: ReserveInput, now: number, p: LifecyclePolicy): string | null {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update arguments arrive unchecked: a null one is refused, not thrown on
  const bad = accountProblem(input?.accountId);
  if (bad) return bad;
  if (typeof input.until !== 'number' || !Number.isFinite(input.until)) return 'until: must be a time (epoch ms)';
  if (input.until <= now) return 'until: must be in the future';
  if (input.until - now > p.maxReservationMs) return `until: a reservation lasts at most ${Math.round(p.maxReservationMs / 60_000)} minutes`;
  if (input.extend === true) {
    if (s.state !== 'RESERVED') return `endpoint is ${s.state}, not RESERVED`;
    if (s.accountId !== input.accountId) return 'endpoint is reserved for another account';
    if (s.reservedUntil !== null && input.until <= s.reservedUntil) return 'until: must be later than the reservation ends now';
    return null;
  }
  if (s.state !== 'AVAILABLE') return `endpoint is ${s.state}, not AVAILABLE`;
  return null;
}

export function refuseRelease(s: EndpointSnapshot, input: ReleaseInput): string | null {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update arguments arrive unchecked: a null one is refused, not thrown on
  const bad = accountProblem(input?.accountId);
  if (bad) return bad;
  if (s.state !== 'ALLOCATED' && s.state !== 'RESERVED') return `endpoint is ${s.state}, not ALLOCATED or RESERVED`;
  if (s.accountId !== input.accountId) return 'endpoint is held by another account';
  if (input.reason !== undefined && (typeof input.reason !== 'string' || !input.reason.trim() || input.reason.length > 200))
    return 'reason: must be 1-200 characters';
  return null;
}

export function refusePortOut(s: EndpointSnapshot, input: PortOutInput): string | null {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update arguments arrive unchecked: a null one is refused, not thrown on
  const bad = accountProblem(input?.accountId);
  if (bad) return bad;
  if (s.state !== 'ALLOCATED') return `endpoint is ${s.state}, not ALLOCATED`;
  if (s.accountId !== input.accountId) return 'endpoint is held by another account';
  return null;
}

export function refuseRetire(s: EndpointSnapshot, reason: unknown): string | null {
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 500) return 'reason: must be 1-500 characters';
  if (!canTransition(s.state, 'RETIRED')) {
    return s.accountId ? `endpoint is ${s.state} and held by an account: release it first` : `endpoint is ${s.state} and cannot be retired`;
  }
  return null;
}

/**
 * A release order takes an endpoint off the shelf: only an AVAILABLE or
 * REJECTED one (nobody holds it), once. Asking again for the same order is
 * answered as done (a retried activity, or a re-sent update after
 * continue-as-new); another order finds it taken.
 */
export function refuseLeaveShelf(s: EndpointSnapshot, input: LeaveShelfInput): string | null {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update arguments arrive unchecked: a null one is refused, not thrown on
  if (typeof input?.orderId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(input.orderId)) return 'orderId: required';
  // a workflow restarted from its row (reconciliation) no longer knows the order: the planner never gives one endpoint to two open orders
  if (s.state === 'RELEASING') return !s.releasing || s.releasing.orderId === input.orderId ? null : 'endpoint is already leaving for another release order';
  if (s.state !== 'AVAILABLE' && s.state !== 'REJECTED') return `endpoint is ${s.state}, not AVAILABLE or REJECTED`;
  return null;
}

/** A REJECTED number back at its carrier: REJECTED itself, or RELEASING from REJECTED. */
export function refuseReturned(s: EndpointSnapshot, reason: unknown): string | null {
  if (typeof reason !== 'string' || !reason.trim()) return 'reason: required';
  if (s.state === 'REJECTED') return null;
  if (s.state === 'RELEASING' && s.releasing?.from !== 'AVAILABLE') return null;
  return `endpoint is ${s.state}, not REJECTED`;
}

/**
 * The carrier refused a release order's hand-back (final): each endpoint it
 * took goes back where it came from. Only the order that took it may.
 */
export function refuseBackToShelf(s: EndpointSnapshot, input: BackToShelfInput): string | null {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update arguments arrive unchecked: a null one is refused, not thrown on
  if (typeof input?.orderId !== 'string' || !input.orderId) return 'orderId: required';
  if (s.state !== 'RELEASING') return `endpoint is ${s.state}, not RELEASING`;
  if (s.releasing && s.releasing.orderId !== input.orderId) return 'endpoint is leaving for another release order';
  return null;
}

export interface RetestVerdict {
  /** routing failed, or nothing the number offered works any more */
  failed: boolean;
  enabled: Capabilities;
  /** capabilities offered before and not now */
  lost: (keyof Capabilities)[];
  /** the tests' share passed */
  tested: number;
  /** the quality score kept: the feedback and the tests' share averaged, or the share alone without feedback */
  quality: number;
  reason: string;
}

/**
 * A re-test of a number in service: the media re-tested get the capabilities
 * their tests prove; the others keep what they had. Routing failing takes
 * everything. The quality score combines — does not replace — the feedback
 * that asked for it: (feedback + share passed) / 2.
 */
export function evaluateRetest(capable: Capabilities, before: Capabilities, media: Medium[], results: TestResult[], retest: RetestState): RetestVerdict {
  const ok = (t: CapabilityTest) => results.some((r) => r.test === t && r.passed);
  const routing = ok('routing');
  const proven: Capabilities = {
    voice: capable.voice && ok('inbound_call') && ok('outbound_call'),
    sms: capable.sms && ok('sms'),
    mms: capable.mms && ok('mms'),
    fax: capable.fax && ok('fax'),
  };
  const enabled = { ...before };
  for (const cap of Object.keys(MEDIA_OF) as (keyof Capabilities)[]) {
    if (!routing) enabled[cap] = false;
    else if (media.includes(MEDIA_OF[cap])) enabled[cap] = proven[cap];
  }
  const caps = Object.keys(MEDIA_OF) as (keyof Capabilities)[];
  const lost = caps.filter((c) => before[c] && !enabled[c]);
  const failed = !routing || !caps.some((c) => enabled[c]);
  const passed = results.filter((r) => r.passed).length;
  const tested = results.length ? passed / results.length : 0;
  const quality = retest.feedback === null ? tested : (retest.feedback + tested) / 2;
  const failures = results
    .filter((r) => !r.passed)
    .map((r) => `${r.test}: ${r.detail}`)
    .join('; ');
  const score = `quality ${quality.toFixed(2)} (${retest.feedback === null ? '' : `feedback ${retest.feedback.toFixed(2)}, `}tests ${passed}/${results.length})`;
  const reason = failed
    ? `re-test failed (${retest.reason}): ${!routing ? 'routing to the platform failed' : 'nothing offered works'}; ${failures}`
    : lost.length
      ? `re-test (${retest.reason}): lost ${lost.join(', ')}; ${failures}; ${score}`
      : `re-test passed (${retest.reason}); ${score}`;
  return { failed, enabled, lost, tested, quality, reason: failed ? `${reason}; ${score}` : reason };
}
