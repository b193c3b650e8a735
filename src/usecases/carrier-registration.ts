// A carrier's signed report that numbers' registrations changed at its end
// (re-provisioned, moved to another switch, their messaging registration
// renewed): each of its numbers named is re-tested for real, all media, if
// it is in service. Signed like its webhooks; numbers that are not its
// endpoints here are listed back, not touched.
import type { Db } from '../db/client';
import { carrierEndpoints } from '../db/endpoint-reads';
import { findProvider } from '../db/providers';
import { verifyWebhook, type VerifyFailure } from '../carriers/webhook';
import { NotFound } from '../domain/errors';
import type { TemporalGateway } from '../temporal/gateway';
import { forEachLimit } from './ingest';

export interface RegistrationChange {
  numbers: string[];
  /** what changed, in the carrier's words */
  change: string;
}

export type RegistrationAnswer = { status: 'accepted'; retesting: number; notOurs: string[] } | { status: 'refused'; reason: VerifyFailure };

export async function carrierRegistrationChange(
  deps: { db: Db; temporal: TemporalGateway; webhookToleranceSeconds: number },
  req: { providerId: string; headers: Record<string, string | string[] | undefined>; rawBody: Buffer; body: () => RegistrationChange },
): Promise<RegistrationAnswer> {
  const provider = await findProvider(deps.db, req.providerId);
  if (!provider?.webhookSecret) throw new NotFound(`no carrier ${req.providerId} that sends webhooks`);
  const verdict = verifyWebhook(provider.webhookSecret, req.headers, req.rawBody, { toleranceSeconds: deps.webhookToleranceSeconds });
  if (!verdict.ok) return { status: 'refused', reason: verdict.reason };
  const body = req.body();
  const ours = new Set(await carrierEndpoints(deps.db, req.providerId, body.numbers));
  const reason = `carrier ${req.providerId} registration change: ${body.change.slice(0, 100)}`;
  let retesting = 0;
  await forEachLimit([...ours], 16, async (address) => {
    try {
      await deps.temporal.endpoint(address).retest({ reason });
      retesting++;
    } catch (err) {
      if (!(err instanceof NotFound)) throw err; // its workflow has closed: nothing in service to re-test
    }
  });
  return { status: 'accepted', retesting, notOurs: body.numbers.filter((n) => !ours.has(n)) };
}
