-- Carriers sign their delivery webhooks with a shared secret (HMAC-SHA256).
ALTER TABLE "providers" ADD COLUMN "webhook_secret" TEXT;

-- Replay protection: each signed webhook is taken once.
CREATE TABLE "webhook_receipts" (
    "signature" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_receipts_pkey" PRIMARY KEY ("signature")
);
CREATE INDEX "webhook_receipts_received_at_idx" ON "webhook_receipts"("received_at");
