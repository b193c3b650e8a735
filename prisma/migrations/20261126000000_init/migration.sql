-- The endpoint repository, first cut: every model of prisma/schema.prisma.
-- Written by hand in the SQL Prisma's migrate would emit, plus what its schema
-- language cannot say (extensions, operator classes, partial indexes).

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- CreateEnum
CREATE TYPE "EndpointKind" AS ENUM ('MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'UAN', 'OTHER', 'SHORT_CODE', 'SIP');
CREATE TYPE "EndpointState" AS ENUM ('ORDERED', 'QUARANTINE', 'TESTING', 'AVAILABLE', 'RESERVED', 'ALLOCATED', 'AGING', 'REJECTED', 'RETURNED', 'PORTING_IN', 'PORTING_OUT', 'PORTED_OUT', 'RETIRED');
CREATE TYPE "ApiKeyScope" AS ENUM ('PLATFORM', 'OPERATOR', 'CARRIER');
CREATE TYPE "ProviderKind" AS ENUM ('API', 'MANUAL');
CREATE TYPE "OrderDirection" AS ENUM ('ACQUIRE', 'RELEASE');
CREATE TYPE "OrderStatus" AS ENUM ('PENDING', 'SUBMITTED', 'AWAITING_OPERATOR', 'PARTIALLY_DELIVERED', 'DELIVERED', 'CANCELLED', 'FAILED');
CREATE TYPE "DeliveryOutcome" AS ENUM ('ACCEPTED', 'MISMATCH_RETURNED', 'DUPLICATE', 'INVALID', 'RETURNED');
CREATE TYPE "IdempotencyStatus" AS ENUM ('IN_PROGRESS', 'COMPLETED');
CREATE TYPE "PortStatus" AS ENUM ('REQUESTED', 'IN_PROGRESS', 'COMPLETED', 'REJECTED');

-- CreateTable
CREATE TABLE "endpoints" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "address" TEXT NOT NULL,
    "kind" "EndpointKind" NOT NULL,
    "country" CHAR(2),
    "region" TEXT,
    "npa" TEXT,
    "nxx" TEXT,
    "line" TEXT,
    "digits" TEXT NOT NULL DEFAULT '',
    "voice_capable" BOOLEAN NOT NULL DEFAULT false,
    "sms_capable" BOOLEAN NOT NULL DEFAULT false,
    "mms_capable" BOOLEAN NOT NULL DEFAULT false,
    "fax_capable" BOOLEAN NOT NULL DEFAULT false,
    "voice_enabled" BOOLEAN NOT NULL DEFAULT false,
    "sms_enabled" BOOLEAN NOT NULL DEFAULT false,
    "mms_enabled" BOOLEAN NOT NULL DEFAULT false,
    "fax_enabled" BOOLEAN NOT NULL DEFAULT false,
    "state" "EndpointState" NOT NULL DEFAULT 'ORDERED',
    "version" INTEGER NOT NULL DEFAULT 0,
    "account_id" TEXT,
    "reserved_until" TIMESTAMPTZ(3),
    "quarantine_until" TIMESTAMPTZ(3),
    "provider_id" TEXT,
    "order_id" UUID,
    "monthly_cost_cents" INTEGER NOT NULL DEFAULT 0,
    "voice_cleanliness" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "messaging_cleanliness" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "quality_score" DOUBLE PRECISION,
    "classifier_tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "application_uri" TEXT,
    "state_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "endpoints_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "endpoints_version_check" CHECK ("version" >= 0),
    CONSTRAINT "endpoints_cleanliness_check" CHECK ("voice_cleanliness" BETWEEN 0 AND 1 AND "messaging_cleanliness" BETWEEN 0 AND 1),
    -- invariant 1: an allocated or reserved endpoint has exactly one holder, an
    -- unallocated one none (TESTING and PORTING_IN may be either: an allocated
    -- number sent back to testing keeps its holder)
    CONSTRAINT "endpoints_holder_check" CHECK (
      ("state" IN ('ALLOCATED', 'RESERVED', 'PORTING_OUT') AND "account_id" IS NOT NULL)
      OR ("state" IN ('ORDERED', 'QUARANTINE', 'AVAILABLE', 'AGING', 'REJECTED', 'RETURNED', 'PORTED_OUT', 'RETIRED') AND "account_id" IS NULL)
      OR "state" IN ('TESTING', 'PORTING_IN'))
);

CREATE TABLE "endpoint_history" (
    "id" BIGSERIAL NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "from_state" "EndpointState",
    "to_state" "EndpointState" NOT NULL,
    "cause" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "endpoint_history_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "classification_groupings" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "tags" TEXT[],
    "key" TEXT NOT NULL,
    "min_available" INTEGER NOT NULL,
    "target_available" INTEGER NOT NULL,
    "max_available" INTEGER NOT NULL,
    "auto_adjust" BOOLEAN NOT NULL DEFAULT false,
    "preferred_provider_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "classification_groupings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "classification_groupings_thresholds_check" CHECK (0 <= "min_available" AND "min_available" <= "target_available" AND "target_available" <= "max_available")
);

CREATE TABLE "inventory_snapshots" (
    "id" BIGSERIAL NOT NULL,
    "grouping_id" UUID NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available" INTEGER NOT NULL,
    "allocated" INTEGER NOT NULL,
    "reserved" INTEGER NOT NULL,
    "in_quarantine" INTEGER NOT NULL,
    "on_order" INTEGER NOT NULL,
    "allocation_rate" DOUBLE PRECISION NOT NULL,
    "unmet_searches" INTEGER NOT NULL,
    "trend" DOUBLE PRECISION NOT NULL,
    "depletion_seconds" DOUBLE PRECISION,
    "min_available" INTEGER NOT NULL,
    "target_available" INTEGER NOT NULL,
    "max_available" INTEGER NOT NULL,

    CONSTRAINT "inventory_snapshots_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "providers" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ProviderKind" NOT NULL,
    "api_base_url" TEXT,
    "contact_email" TEXT,
    "countries" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "npas" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "kinds" "EndpointKind"[] DEFAULT ARRAY[]::"EndpointKind"[],
    "cost_per_number_cents" INTEGER NOT NULL DEFAULT 0,
    "monthly_cost_cents" INTEGER NOT NULL DEFAULT 0,
    "reliability_score" DOUBLE PRECISION NOT NULL DEFAULT 0.8,
    "fill_rate" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "mean_lead_time_seconds" DOUBLE PRECISION,
    "mismatch_rate" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "failure_rate" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "quota_numbers" INTEGER,
    "quota_period_days" INTEGER NOT NULL DEFAULT 30,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "providers_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "provider_orders" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "provider_id" TEXT NOT NULL,
    "direction" "OrderDirection" NOT NULL,
    "status" "OrderStatus" NOT NULL DEFAULT 'PENDING',
    "idempotency_key" TEXT NOT NULL,
    "carrier_reference" TEXT,
    "parent_order_id" UUID,
    "failure_reason" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submitted_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_orders_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "order_lines" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "order_id" UUID NOT NULL,
    "grouping_id" UUID,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "country" CHAR(2),
    "npa" TEXT,
    "kind" "EndpointKind",
    "capabilities" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "quantity" INTEGER NOT NULL,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "endpoint_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "order_lines_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "order_lines_quantity_check" CHECK ("quantity" > 0)
);

CREATE TABLE "delivered_numbers" (
    "id" BIGSERIAL NOT NULL,
    "order_id" UUID NOT NULL,
    "line_id" UUID,
    "address" TEXT NOT NULL,
    "outcome" "DeliveryOutcome" NOT NULL,
    "reason" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delivered_numbers_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "accounts" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scope" "ApiKeyScope" NOT NULL,
    "provider_id" TEXT,
    "rate_limit" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_key_accounts" (
    "api_key_id" UUID NOT NULL,
    "account_id" TEXT NOT NULL,

    CONSTRAINT "api_key_accounts_pkey" PRIMARY KEY ("api_key_id", "account_id")
);

CREATE TABLE "idempotency_records" (
    "api_key_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status" "IdempotencyStatus" NOT NULL DEFAULT 'IN_PROGRESS',
    "response_status" INTEGER,
    "response_body" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("api_key_id", "key")
);

CREATE TABLE "unmet_searches" (
    "id" BIGSERIAL NOT NULL,
    "tags" TEXT[],
    "account_id" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "unmet_searches_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "port_requests" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "address" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "direction" TEXT NOT NULL DEFAULT 'IN',
    "status" "PortStatus" NOT NULL DEFAULT 'REQUESTED',
    "losing_carrier" TEXT,
    "reason" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "port_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "endpoints_address_key" ON "endpoints"("address");
CREATE INDEX "endpoints_npa_nxx_idx" ON "endpoints"("npa", "nxx");
CREATE INDEX "endpoints_account_id_idx" ON "endpoints"("account_id");
CREATE INDEX "endpoints_order_id_idx" ON "endpoints"("order_id");
-- search and allocation by criteria: which AVAILABLE endpoints carry these tags
CREATE INDEX "endpoints_state_classifier_tags_idx" ON "endpoints" USING GIN ("state", "classifier_tags");
-- contains / starts with / ends with digit search
CREATE INDEX "endpoints_digits_trgm_idx" ON "endpoints" USING GIN ("digits" gin_trgm_ops);
-- allocation claims and expiry sweeps walk AVAILABLE / RESERVED rows only
CREATE INDEX "endpoints_available_idx" ON "endpoints"("npa", "kind") WHERE "state" = 'AVAILABLE';
CREATE INDEX "endpoints_reserved_until_idx" ON "endpoints"("reserved_until") WHERE "state" = 'RESERVED';

CREATE UNIQUE INDEX "endpoint_history_endpoint_id_version_key" ON "endpoint_history"("endpoint_id", "version");
CREATE INDEX "endpoint_history_at_idx" ON "endpoint_history"("at");

CREATE UNIQUE INDEX "classification_groupings_name_key" ON "classification_groupings"("name");
CREATE UNIQUE INDEX "classification_groupings_key_key" ON "classification_groupings"("key");

CREATE INDEX "inventory_snapshots_grouping_id_taken_at_idx" ON "inventory_snapshots"("grouping_id", "taken_at");

CREATE UNIQUE INDEX "provider_orders_idempotency_key_key" ON "provider_orders"("idempotency_key");
CREATE INDEX "provider_orders_status_idx" ON "provider_orders"("status");
CREATE INDEX "provider_orders_provider_id_requested_at_idx" ON "provider_orders"("provider_id", "requested_at");

CREATE INDEX "order_lines_order_id_idx" ON "order_lines"("order_id");

CREATE UNIQUE INDEX "delivered_numbers_order_id_address_key" ON "delivered_numbers"("order_id", "address");
CREATE INDEX "delivered_numbers_address_idx" ON "delivered_numbers"("address");

CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

CREATE INDEX "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");

CREATE INDEX "unmet_searches_at_idx" ON "unmet_searches"("at");

CREATE INDEX "port_requests_address_idx" ON "port_requests"("address");

-- AddForeignKey
ALTER TABLE "endpoints" ADD CONSTRAINT "endpoints_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "endpoints" ADD CONSTRAINT "endpoints_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "endpoints" ADD CONSTRAINT "endpoints_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "provider_orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "endpoint_history" ADD CONSTRAINT "endpoint_history_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "inventory_snapshots" ADD CONSTRAINT "inventory_snapshots_grouping_id_fkey" FOREIGN KEY ("grouping_id") REFERENCES "classification_groupings"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "provider_orders" ADD CONSTRAINT "provider_orders_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "provider_orders" ADD CONSTRAINT "provider_orders_parent_order_id_fkey" FOREIGN KEY ("parent_order_id") REFERENCES "provider_orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "provider_orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_grouping_id_fkey" FOREIGN KEY ("grouping_id") REFERENCES "classification_groupings"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "delivered_numbers" ADD CONSTRAINT "delivered_numbers_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "provider_orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "api_key_accounts" ADD CONSTRAINT "api_key_accounts_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_key_accounts" ADD CONSTRAINT "api_key_accounts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "port_requests" ADD CONSTRAINT "port_requests_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
