-- The operation a keyed request performs is kept with its record: a retry
-- after a 5xx (record RELEASED) or after its holder died (lease expired) is
-- the same operation; the same key used again after the record expired is a
-- new one, even with the same body.
ALTER TYPE "IdempotencyStatus" ADD VALUE IF NOT EXISTS 'RELEASED';
ALTER TABLE "idempotency_records" ADD COLUMN "operation_id" UUID NOT NULL DEFAULT gen_random_uuid();
