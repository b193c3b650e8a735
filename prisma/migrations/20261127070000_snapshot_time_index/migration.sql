-- Snapshots by time alone: the monitor's pass deletes those older than
-- HISTORY_RETENTION (src/db/retention.ts) and reads those within its window
-- for the trend. The (grouping_id, taken_at) index serves neither, so both
-- read the whole table, which grows by one row per grouping per pass.
CREATE INDEX "inventory_snapshots_taken_at_idx" ON "inventory_snapshots"("taken_at");
