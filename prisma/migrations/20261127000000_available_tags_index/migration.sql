-- Searches and allocations filter AVAILABLE endpoints by tags (npa:425,
-- cap:sms …). The GIN index on (state, classifier_tags) answers that by
-- intersecting the tag's short list with the list of every AVAILABLE row,
-- which it reads whole: 6-14 ms at 1,000,000 endpoints, growing with the
-- table (bench/search.bench.ts, npa + contains). A GIN index on the tags of
-- AVAILABLE rows only reads the tag's own list: 0.4 ms there.
CREATE INDEX "endpoints_available_tags_idx" ON "endpoints" USING GIN ("classifier_tags") WHERE "state" = 'AVAILABLE';
