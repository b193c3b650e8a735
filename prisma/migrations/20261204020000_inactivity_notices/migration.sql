-- the inactivity policy's notices (issue 18): one per idle period of an allocated endpoint
CREATE TABLE IF NOT EXISTS "inactivity_notices" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "endpoint_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "holding_version" INTEGER NOT NULL,
    "idle_since" TIMESTAMPTZ(3) NOT NULL,
    "notified_at" TIMESTAMPTZ(3) NOT NULL,
    "release_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "details" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "inactivity_notices_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "inactivity_notices_endpoint_id_holding_version_idle_since_key"
    ON "inactivity_notices"("endpoint_id", "holding_version", "idle_since");
CREATE INDEX IF NOT EXISTS "inactivity_notices_endpoint_id_closed_at_idx" ON "inactivity_notices"("endpoint_id", "closed_at");
-- at most one open notice per endpoint
CREATE UNIQUE INDEX IF NOT EXISTS "inactivity_notices_open_key" ON "inactivity_notices"("endpoint_id") WHERE "closed_at" IS NULL;
