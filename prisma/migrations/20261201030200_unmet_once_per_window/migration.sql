-- Unmet demand is counted per account and criteria at most once per window
-- (UNMET_DEMAND_WINDOW): src/db/demand.ts writes the window's start as
-- `bucket` and a repeat hits this index (ON CONFLICT DO NOTHING). Searches by
-- keys without an account count as one account (''). Rows written before
-- have no bucket and never conflict.
ALTER TABLE "unmet_searches" ADD COLUMN "bucket" TIMESTAMPTZ(3);

CREATE UNIQUE INDEX "unmet_searches_once_per_window" ON "unmet_searches" ((coalesce("account_id", '')), "tags", "bucket");
