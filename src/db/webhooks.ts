// The one writer of `webhook_receipts`: each signed carrier webhook taken once
// (a replay inside the tolerance changes nothing). A receipt is written only
// once the webhook's delivery was handed over (to its order's workflow, or to a
// late delivery's), so a webhook whose hand-over failed is taken when the
// carrier sends it again. Pruned once no timestamp can be inside the tolerance
// any more.
import type { Db } from './client';

/** Whether this (canonical) signature's delivery was handed over before. */
export async function receiptTaken(db: Db, signature: string): Promise<boolean> {
  return (await db.webhookReceipt.count({ where: { signature } })) > 0;
}

/** Marks a signature taken, after its delivery was handed over; true when this call marked it. */
export async function recordReceipt(db: Db, input: { signature: string; providerId: string }): Promise<boolean> {
  const fresh = await db.webhookReceipt.createMany({ data: [{ signature: input.signature, providerId: input.providerId }], skipDuplicates: true });
  return fresh.count > 0;
}

/** Deletes at most `batch` receipts older than `before`; how many went. */
export async function pruneReceipts(db: Db, before: Date, batch: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM webhook_receipts WHERE signature IN (SELECT signature FROM webhook_receipts WHERE received_at < ${before} LIMIT ${batch})`;
}
