// The capability tests' harness (issue 18): which carrier network places a
// number's test calls and messages, and how long the platform waits for each
// medium to arrive. Two kinds:
//   carrier   (HARNESS=carrier, the default) — the number's own carrier's
//             test-call API (an API carrier's ApiCarrierAdapter), else the
//             HARNESS_CARRIER provider's; the call or message comes back to
//             the API's inbound entry over HTTP, signed.
//   simulated (HARNESS=simulated, tests and benchmarks; refused in production)
//             — the carrier simulator's test-traffic logic inside the worker,
//             handing arrivals straight to the inbound use case (no HTTP, no
//             signature), with failures set by HARNESS_SIMULATED_FAILURES.
// Either way the workflow waits for the arrival with a timer and judges it.
import { ApiCarrierAdapter, type CarrierTestNetwork, type HttpOptions } from '../carriers/adapter';
import { createTestTraffic, type TestTrafficConfig } from '../carriers/simulator/test-traffic';
import { mulberry32 } from '../carriers/simulator/simulator';
import type { Db } from '../db/client';
import { findProvider } from '../db/providers';
import type { TestMedium } from '../domain/harness';
import { testArrival, type TestArrivalDeps } from '../usecases/test-arrival';

export type HarnessKind = 'carrier' | 'simulated';

export interface Harness {
  kind: HarnessKind;
  /** how long the platform waits for each medium's test to arrive */
  timeouts: Record<TestMedium, number>;
  /** the network that places a test for a number of this carrier, or why there is none */
  networkFor(providerId: string | null): Promise<{ network: CarrierTestNetwork; providerId: string | null } | { none: string }>;
}

/** Each number's own carrier's test-call API (API carriers), else the fallback carrier's. */
export function carrierHarness(db: Db, opts: { fallbackProviderId?: string; http?: HttpOptions; timeouts: Record<TestMedium, number> }): Harness {
  const apiOf = async (id: string | null | undefined) => {
    if (!id) return null;
    const p = await findProvider(db, id);
    return p && p.active && p.kind === 'API' && p.apiBaseUrl ? { network: new ApiCarrierAdapter(p.apiBaseUrl, opts.http), providerId: p.id } : null;
  };
  return {
    kind: 'carrier',
    timeouts: opts.timeouts,
    async networkFor(providerId) {
      const own = await apiOf(providerId);
      if (own) return own;
      const fallback = await apiOf(opts.fallbackProviderId);
      if (fallback) return fallback;
      return {
        none: `no carrier test-call API for this number (its carrier ${providerId ?? '(none)'} has none${opts.fallbackProviderId ? `, nor has HARNESS_CARRIER ${opts.fallbackProviderId}` : '; HARNESS_CARRIER is unset'})`,
      };
    },
  };
}

export type SimulatedHarness = ReturnType<typeof simulatedHarness>;

/**
 * The simulator's test traffic inside the worker. A test delivered with no
 * delay is handed to the inbound use case before its request is answered, so
 * time-skipping tests never see the wait's timer fire first.
 */
export function simulatedHarness(
  deps: TestArrivalDeps,
  opts: {
    timeouts: Record<TestMedium, number>;
    failures?: TestTrafficConfig['testFailureRates'];
    outcomes?: TestTrafficConfig['testOutcomes'];
    seed?: number;
    delayMs?: number;
  },
) {
  const config: TestTrafficConfig = {
    testDelayMs: opts.delayMs ?? 0,
    testLateDelayMs: Math.max(...Object.values(opts.timeouts)) + 1_000,
    testFailureRates: opts.failures ?? {},
    testOutcomes: opts.outcomes ?? {},
  };
  const traffic = createTestTraffic({
    config: () => config,
    random: mulberry32(opts.seed ?? 18),
    deliver: async (arrival) => {
      await testArrival(deps, arrival);
      return true;
    },
  });
  const network: CarrierTestNetwork = { requestTestTraffic: (req) => traffic.request(req) };
  return {
    kind: 'simulated' as const,
    timeouts: opts.timeouts,
    traffic,
    /** change it to change what the network does next (tests) */
    config,
    networkFor: (): Promise<{ network: CarrierTestNetwork; providerId: string | null }> => Promise.resolve({ network, providerId: null }),
  } satisfies Harness & Record<string, unknown>;
}
