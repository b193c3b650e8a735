-- An allocation's retry finds the endpoint its first attempt claimed by its
-- claim token: without an index that was a full scan of endpoints per
-- allocation (5/s at 1,000,000 rows, bench/results/allocation-with-1000000-others.json).
CREATE INDEX "endpoints_claim_token_idx" ON "endpoints"("claim_token") WHERE "claim_token" IS NOT NULL;
