// The platform's inbound entry for capability tests (issue 18): a carrier
// delivers the test call or message it was asked for here, signed like its
// webhooks. The payload's nonce names the test; the arrival is routed the way
// the call router would route it (the routing lookup of the number it
// reached) and handed to the tested endpoint's workflow, which is waiting for
// it with a timer and judges it (right number, routed as the lookup says for
// the tested number, audio both ways). An arrival after the workflow stopped
// waiting is recorded, not handed over.
import type { Db } from '../db/client';
import { findByAddress, routeOf } from '../db/endpoint-reads';
import { findProbe, recordArrival } from '../db/probes';
import { findProvider } from '../db/providers';
import { verifyWebhook, type VerifyFailure } from '../carriers/webhook';
import { nonceOf, type TestArrival } from '../domain/harness';
import { NotFound } from '../domain/errors';
import type { TemporalGateway } from '../temporal/gateway';

export interface TestArrivalDeps {
  db: Db;
  temporal: TemporalGateway;
}

/** accepted: handed to the waiting workflow · late: after its deadline (recorded) · duplicate: arrived before · not_a_test: no known test's nonce */
export type TestArrivalAnswer = { status: 'accepted' | 'late' | 'duplicate' | 'not_a_test' } | { status: 'refused'; reason: VerifyFailure };

/** Where the call router sends traffic to this number: its holder's application, the test sink (a number of ours, not routed), or nowhere. */
export async function routeName(db: Db, address: string): Promise<string> {
  const route = await routeOf(db, address);
  if (route) return `account ${route.accountId} (${route.applicationUri ?? 'no application'})`;
  return (await findByAddress(db, address)) ? 'the test sink (not routed)' : 'nowhere (not a number of the platform)';
}

export async function testArrival(deps: TestArrivalDeps, arrival: TestArrival, now = Date.now()): Promise<TestArrivalAnswer> {
  const nonce = nonceOf(arrival.payload);
  const probe = nonce ? await findProbe(deps.db, nonce) : null;
  if (!nonce || !probe) return { status: 'not_a_test' };
  if (probe.arrivedAt) return { status: 'duplicate' };
  const outbound = probe.direction === 'outbound';
  const number = outbound ? arrival.from : arrival.to;
  const [routedTo, expectedRoute] = outbound
    ? ['the carrier test line', 'the carrier test line']
    : await Promise.all([routeName(deps.db, arrival.to), routeName(deps.db, probe.address)]);
  const oneWayAudio = arrival.audio === 'one_way';
  let status: 'accepted' | 'late' = now > probe.deadlineAt.getTime() ? 'late' : 'accepted';
  if (status === 'accepted') {
    try {
      // handed over before it is recorded: a hand-over that failed (503) is taken when the carrier sends it again
      await deps.temporal
        .endpoint(probe.address)
        .testArrived({ nonce, number, routedAsLookup: routedTo === expectedRoute, routedTo, expectedRoute, oneWayAudio, at: now });
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
      status = 'late'; // its workflow has closed
    }
  }
  await recordArrival(deps.db, { nonce, at: new Date(now), number, routedTo, oneWayAudio });
  return { status };
}

export interface SignedArrival {
  providerId: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** the body held to its schema — only once the signature is known good */
  body: () => TestArrival;
}

/** The signed entry: the carrier's own signature over the raw bytes, recent (its webhook secret and tolerance). */
export async function carrierTestArrival(deps: TestArrivalDeps & { webhookToleranceSeconds: number }, req: SignedArrival): Promise<TestArrivalAnswer> {
  const provider = await findProvider(deps.db, req.providerId);
  if (!provider?.webhookSecret) throw new NotFound(`no carrier ${req.providerId} that sends webhooks`);
  const verdict = verifyWebhook(provider.webhookSecret, req.headers, req.rawBody, { toleranceSeconds: deps.webhookToleranceSeconds });
  if (!verdict.ok) return { status: 'refused', reason: verdict.reason };
  return testArrival(deps, req.body());
}
