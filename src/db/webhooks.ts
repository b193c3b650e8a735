// The one writer of `webhook_receipts`: each signed carrier webhook once (a
// replay inside the tolerance changes nothing); pruned once no timestamp can
// be inside the tolerance any more.
import type { Db } from './client';

/** true the first time this signature is seen */
export async function recordReceipt(db: Db, input: { signature: string; providerId: string }): Promise<boolean> {
  const fresh = await db.webhookReceipt.createMany({ data: [{ signature: input.signature, providerId: input.providerId }], skipDuplicates: true });
  return fresh.count > 0;
}

/** Deletes at most `batch` receipts older than `before`; how many went. */
export async function pruneReceipts(db: Db, before: Date, batch: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM webhook_receipts WHERE signature IN (SELECT signature FROM webhook_receipts WHERE received_at < ${before} LIMIT ${batch})`;
}
