-- The API's rate limits, shared by every API process: one row per budget
-- (an API key's, or a client address's without a valid key) and its current
-- window. Written only by rate-limiter-flexible's PostgreSQL store
-- (src/db/rate-limits.ts), whose layout this is: it is told the table exists
-- (tableCreated) and never creates one at run time.
CREATE TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

-- the store deletes windows that ended an hour ago (every 5 minutes, from each API process)
CREATE INDEX "rate_limits_expire_idx" ON "rate_limits"("expire");
