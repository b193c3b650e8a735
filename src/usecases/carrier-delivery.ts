// A carrier's signed delivery webhook: the carrier must send webhooks, the
// signature must be its own over the raw bytes and recent, the body must name
// one of its orders; each signed webhook is taken once, and only once its
// numbers were handed over (a webhook answered 503 is taken when it comes
// again). The numbers go to the order's workflow, or — when that has closed —
// to a short workflow of their own that records each as RETURNED and hands it
// back (never dropped).
import type { Db } from '../db/client';
import { findOrderByKey } from '../db/orders';
import { findProvider } from '../db/providers';
import { receiptTaken, recordReceipt } from '../db/webhooks';
import { canonicalSignature, verifyWebhook, type VerifyFailure } from '../carriers/webhook';
import { NotFound } from '../domain/errors';
import type { TemporalGateway } from '../temporal/gateway';

export interface CarrierDeliveryDeps {
  db: Db;
  /** on the task queue where a late delivery's workflow runs */
  temporal: TemporalGateway;
  webhookToleranceSeconds: number;
}

export interface CarrierWebhook {
  carrierOrderId: string;
  idempotencyKey: string;
  lines: { lineId: string; numbers: string[] }[];
  /** NANP rate center and LATA per number, where the carrier gives them */
  places?: { number: string; rateCenter?: string; lata?: string }[];
  final: boolean;
  sentAt?: string;
}

export interface SignedRequest {
  providerId: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** the body, held to its schema — only once the signature is known good */
  body: () => CarrierWebhook;
}

/** accepted: handed to the order · duplicate: this signed webhook (any case of its hex) was taken before · late: the order had closed · refused: not signed by the carrier */
export type CarrierDeliveryAnswer = { status: 'accepted' | 'duplicate' | 'late' } | { status: 'refused'; reason: VerifyFailure };

export async function carrierDelivery(deps: CarrierDeliveryDeps, req: SignedRequest): Promise<CarrierDeliveryAnswer> {
  const { providerId } = req;
  const provider = await findProvider(deps.db, providerId);
  if (!provider?.webhookSecret) throw new NotFound(`no carrier ${providerId} that sends webhooks`);
  const verdict = verifyWebhook(provider.webhookSecret, req.headers, req.rawBody, { toleranceSeconds: deps.webhookToleranceSeconds });
  if (!verdict.ok) return { status: 'refused', reason: verdict.reason };
  const body = req.body();
  const order = await findOrderByKey(deps.db, body.idempotencyKey);
  if (!order || order.providerId !== providerId) throw new NotFound(`idempotencyKey: no order of ${providerId} with this key`);
  // each signed webhook once, in its canonical spelling (the hex's case makes no new one)
  const signature = canonicalSignature(req.headers)!; // verified above: present and well formed
  if (await receiptTaken(deps.db, signature)) return { status: 'duplicate' };
  const delivery = { source: 'carrier' as const, lines: body.lines, ...(body.places?.length ? { places: body.places } : {}), final: body.final };
  let answer: 'accepted' | 'late' = 'accepted';
  try {
    await deps.temporal.order(order.id).deliver(delivery);
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
    await deps.temporal.orders.deliverLate(order.id, providerId, delivery);
    answer = 'late';
  }
  // Taken only now that the delivery was handed over: a hand-over that failed
  // (Temporal away: 503) leaves no receipt, so the carrier's re-send of the same
  // bytes is taken then. Copies racing past the check, or a receipt lost after
  // the hand-over, hand the delivery over again: harmless, each number is decided
  // once per order (delivered_numbers is unique per order and address).
  await recordReceipt(deps.db, { signature, providerId });
  return { status: answer };
}
