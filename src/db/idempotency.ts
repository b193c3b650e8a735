// The one writer of `idempotency_records`: a key is taken (or taken over when
// its record expired, its holder died or its answer was a 5xx), completed with
// the answer, or released when the answer was a 5xx so a retry runs again.
// Each record carries the operation its request performs: the same one for
// every retry while the record lives, a new one once it expired.
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
  /** the operation the request performs (UUID): kept from an earlier taking that was released or whose holder died */
  operationId: string;
}

export interface IdempotencyRecord {
  method: string;
  path: string;
  requestHash: string;
  status: 'IN_PROGRESS' | 'COMPLETED' | 'RELEASED';
  responseStatus: number | null;
  responseBody: unknown;
}

/**
 * Takes the key, or takes it over; undefined when another holds it or it is completed.
 * Taken over: an expired record (a new operation), a released one (a 5xx: the same
 * operation when the body is the same), or one whose holder died (lease expired,
 * same body: the same operation).
 */
export async function takeKey(db: Db, c: IdempotencyClaim): Promise<Taken | undefined> {
  const [mine] = await db.$queryRaw<{ created_at: Date; operation_id: string }[]>`
    INSERT INTO idempotency_records (api_key_id, key, method, path, request_hash, status, created_at, expires_at)
    VALUES (${c.apiKeyId}::uuid, ${c.key}, ${c.method}, ${c.path}, ${c.requestHash}, 'IN_PROGRESS', clock_timestamp(), ${c.expiresAt})
    ON CONFLICT (api_key_id, key) DO UPDATE
      SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash, status = 'IN_PROGRESS',
          response_status = NULL, response_body = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
          operation_id = CASE WHEN idempotency_records.expires_at >= now() AND idempotency_records.request_hash = EXCLUDED.request_hash
                              THEN idempotency_records.operation_id ELSE EXCLUDED.operation_id END
      WHERE idempotency_records.expires_at < now()
         OR idempotency_records.status = 'RELEASED'
         OR (idempotency_records.status = 'IN_PROGRESS' AND idempotency_records.request_hash = EXCLUDED.request_hash
             AND idempotency_records.created_at < now() - make_interval(secs => ${c.leaseMs / 1000}))
    RETURNING created_at, operation_id::text`;
  return mine ? { apiKeyId: c.apiKeyId, key: c.key, createdAt: mine.created_at, operationId: mine.operation_id } : undefined;
}

export async function readKey(db: Db, apiKeyId: string, key: string): Promise<IdempotencyRecord | null> {
  return db.idempotencyRecord.findUnique({
    where: { apiKeyId_key: { apiKeyId, key } },
    select: { method: true, path: true, requestHash: true, status: true, responseStatus: true, responseBody: true },
  });
}

/** Keeps the answer with the key (only while this taking still holds it). */
export async function completeKey(db: Db, taken: Taken, responseStatus: number, responseBody: unknown): Promise<void> {
  const { apiKeyId, key, createdAt } = taken;
  await db.idempotencyRecord.updateMany({
    where: { apiKeyId, key, createdAt },
    data: { status: 'COMPLETED', responseStatus, responseBody: responseBody ?? {} },
  });
}

/** Lets the key go (a 5xx is not kept: the retry runs again, as the same operation). */
export async function releaseKey(db: Db, taken: Taken): Promise<void> {
  const { apiKeyId, key, createdAt } = taken;
  await db.idempotencyRecord.updateMany({ where: { apiKeyId, key, createdAt }, data: { status: 'RELEASED' } });
}

/** Deletes expired records. */
export async function sweepKeys(db: Db): Promise<void> {
  await db.$executeRaw`DELETE FROM idempotency_records WHERE expires_at < now()`;
}
