-- The best AVAILABLE endpoint first. A claim by criteria takes the
-- highest-quality match; for criteria that match much of the shelf
-- (country:us, cap:sms) the tags index returned every match and all of them
-- were sorted (to disk) before the first was locked: about 1 s a claim over
-- 600,000 AVAILABLE endpoints (EXPLAIN ANALYZE, bench/allocation.bench.ts
-- with BENCH_OTHER_ENDPOINTS). With this index such a claim walks the shelf
-- best-first and stops at the first match; narrow criteria still use the
-- tags index, and the claim now sorts only a bounded window of candidates.
CREATE INDEX "endpoints_available_best_idx" ON "endpoints" ("quality_score" DESC NULLS LAST, "address") WHERE "state" = 'AVAILABLE';
