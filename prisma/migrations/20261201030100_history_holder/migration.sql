-- Which account held the endpoint after each transition: an account's insight
-- shows only the transitions of its own holding periods (those that left the
-- endpoint with it, and the one that ended each), never an earlier or later
-- holder's. Rows from before this column are filled where the endpoint's
-- current holder is known (its current version); the rest stay NULL, which no
-- platform key is shown.
ALTER TABLE "endpoint_history" ADD COLUMN "account_id" TEXT;

UPDATE "endpoint_history" h
   SET "account_id" = e."account_id"
  FROM "endpoints" e
 WHERE h."endpoint_id" = e."id" AND h."version" = e."version" AND e."account_id" IS NOT NULL;
