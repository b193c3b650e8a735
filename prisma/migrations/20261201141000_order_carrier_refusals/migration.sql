-- A carrier's final refusal (4xx) of a return, release or cancellation ends that
-- step of the order unretried; the order keeps the carrier's answer for operators.
ALTER TABLE "provider_orders" ADD COLUMN "carrier_refusals" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
