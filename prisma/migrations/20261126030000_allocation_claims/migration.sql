-- Allocation by criteria: a request claims one AVAILABLE endpoint for a few
-- seconds (FOR UPDATE SKIP LOCKED, so concurrent requests spread over the
-- candidates) while the endpoint's workflow performs the allocation.
ALTER TABLE "endpoints" ADD COLUMN "claimed_until" TIMESTAMPTZ(3);
ALTER TABLE "endpoints" ADD COLUMN "claim_token" UUID;
