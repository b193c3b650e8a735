// The one writer of `idempotency_records`: a key is taken (or taken over when
// its record expired or its holder died), completed with the answer, or
// released when the answer was a 5xx so a retry runs again.
import type { Db } from './client';

export interface IdempotencyClaim {
  apiKeyId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  expiresAt: Date;
  /** an IN_PROGRESS record with the same body older than this is its holder's that died */
  leaseMs: number;
}

/** Which taking of the key this is: completing or releasing touches that one only. */
export interface Taken {
  apiKeyId: string;
  key: string;
  createdAt: Date;
}

export interface IdempotencyRecord {
  method: string;
  path: string;
  requestHash: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  responseStatus: number | null;
  responseBody: unknown;
}

/** Takes the key, or takes it over; undefined when another holds it or it is completed. */
export async function takeKey(db: Db, c: IdempotencyClaim): Promise<Taken | undefined> {
  const [mine] = await db.$queryRaw<{ created_at: Date }[]>`
    INSERT INTO idempotency_records (api_key_id, key, method, path, request_hash, status, created_at, expires_at)
    VALUES (${c.apiKeyId}::uuid, ${c.key}, ${c.method}, ${c.path}, ${c.requestHash}, 'IN_PROGRESS', clock_timestamp(), ${c.expiresAt})
    ON CONFLICT (api_key_id, key) DO UPDATE
      SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash, status = 'IN_PROGRESS',
          response_status = NULL, response_body = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
      WHERE idempotency_records.expires_at < now()
         OR (idempotency_records.status = 'IN_PROGRESS' AND idempotency_records.request_hash = EXCLUDED.request_hash
             AND idempotency_records.created_at < now() - make_interval(secs => ${c.leaseMs / 1000}))
    RETURNING created_at`;
  return mine ? { apiKeyId: c.apiKeyId, key: c.key, createdAt: mine.created_at } : undefined;
}

export async function readKey(db: Db, apiKeyId: string, key: string): Promise<IdempotencyRecord | null> {
  return db.idempotencyRecord.findUnique({
    where: { apiKeyId_key: { apiKeyId, key } },
    select: { method: true, path: true, requestHash: true, status: true, responseStatus: true, responseBody: true },
  });
}

/** Keeps the answer with the key (only while this taking still holds it). */
export async function completeKey(db: Db, taken: Taken, responseStatus: number, responseBody: unknown): Promise<void> {
  await db.idempotencyRecord.updateMany({ where: taken, data: { status: 'COMPLETED', responseStatus, responseBody: responseBody ?? {} } });
}

/** Lets the key go (a 5xx is not kept: the retry runs again). */
export async function releaseKey(db: Db, taken: Taken): Promise<void> {
  await db.idempotencyRecord.deleteMany({ where: taken });
}

/** Deletes expired records. */
export async function sweepKeys(db: Db): Promise<void> {
  await db.$executeRaw`DELETE FROM idempotency_records WHERE expires_at < now()`;
}
