-- Which operation made each transition (a workflow update's id, an ingest, a
-- reconciliation): a retried compare-and-set recognises its own commit by it,
-- never another operation's that happens to leave the row the same.
ALTER TABLE "endpoint_history" ADD COLUMN "operation" TEXT;
