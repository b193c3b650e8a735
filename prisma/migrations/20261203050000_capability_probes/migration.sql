-- capability tests placed through carriers' test-call APIs, and their arrivals at the inbound entry (issue 18)
CREATE TABLE IF NOT EXISTS "capability_probes" (
    "nonce" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "test" TEXT NOT NULL,
    "medium" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "provider_id" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadline_at" TIMESTAMPTZ(3) NOT NULL,
    "arrived_at" TIMESTAMPTZ(3),
    "arrived_number" TEXT,
    "routed_to" TEXT,
    "one_way_audio" BOOLEAN,
    CONSTRAINT "capability_probes_pkey" PRIMARY KEY ("nonce")
);
CREATE INDEX IF NOT EXISTS "capability_probes_endpoint_id_requested_at_idx" ON "capability_probes"("endpoint_id", "requested_at");
CREATE INDEX IF NOT EXISTS "capability_probes_requested_at_idx" ON "capability_probes"("requested_at");
