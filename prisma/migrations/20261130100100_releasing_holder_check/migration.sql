-- A RELEASING endpoint is held by no account (its own migration: a new enum
-- value cannot be used in the transaction that adds it).
ALTER TABLE "endpoints" DROP CONSTRAINT "endpoints_holder_check";
ALTER TABLE "endpoints" ADD CONSTRAINT "endpoints_holder_check" CHECK (
      ("state" IN ('ALLOCATED', 'RESERVED', 'PORTING_OUT') AND "account_id" IS NOT NULL)
      OR ("state" IN ('ORDERED', 'QUARANTINE', 'AVAILABLE', 'AGING', 'REJECTED', 'RETURNED', 'PORTED_OUT', 'RETIRED', 'RELEASING') AND "account_id" IS NULL)
      OR "state" IN ('TESTING', 'PORTING_IN'));
