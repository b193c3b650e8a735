-- usage of allocated endpoints per holder and day: routing lookups and traffic reports, flushed from the API's memory (issue 18)
CREATE TABLE IF NOT EXISTS "endpoint_usage" (
    "endpoint_id" UUID NOT NULL,
    "account_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "lookups" INTEGER NOT NULL DEFAULT 0,
    "calls_in" INTEGER NOT NULL DEFAULT 0,
    "calls_out" INTEGER NOT NULL DEFAULT 0,
    "messages_in" INTEGER NOT NULL DEFAULT 0,
    "messages_out" INTEGER NOT NULL DEFAULT 0,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "endpoint_usage_pkey" PRIMARY KEY ("endpoint_id", "account_id", "day")
);
CREATE INDEX IF NOT EXISTS "endpoint_usage_account_id_day_idx" ON "endpoint_usage"("account_id", "day");
