-- Where each endpoint is (src/domain/geo.ts): the data's place text, the
-- ISO 3166-2 region (the column existed, never set), locality, time zone,
-- the locality's coordinates and postal code, and the rate center and LATA
-- a NANP carrier's delivery gives. Filled at ingest and delivery; existing
-- rows by `ei geo backfill`.
ALTER TABLE "endpoints"
  ADD COLUMN "place" TEXT,
  ADD COLUMN "locality" TEXT,
  ADD COLUMN "time_zone" TEXT,
  ADD COLUMN "latitude" DOUBLE PRECISION,
  ADD COLUMN "longitude" DOUBLE PRECISION,
  ADD COLUMN "postal_code" TEXT,
  ADD COLUMN "rate_center" TEXT,
  ADD COLUMN "lata" TEXT,
  -- the backfill's cursor: rows not yet looked up have none
  ADD COLUMN "geo_checked_at" TIMESTAMPTZ(3);

-- Searches by place read AVAILABLE rows only (as the tag index does):
-- locality is a tag (endpoints_available_tags_idx); the rest are columns,
-- each with a partial index. Near a point: the box
-- around the circle is a containment search of this GiST index on the
-- built-in point type (no PostGIS, no extension), then the exact
-- great-circle distance keeps and orders the candidates.
CREATE INDEX "endpoints_available_point_idx" ON "endpoints" USING GIST (point("longitude", "latitude")) WHERE "state" = 'AVAILABLE' AND "latitude" IS NOT NULL;
-- region and time zone are tags too, but broad ones: searched by column,
-- each index reads a page of AVAILABLE rows in address order directly
CREATE INDEX "endpoints_available_region_idx" ON "endpoints" ("region", "address") WHERE "state" = 'AVAILABLE' AND "region" IS NOT NULL;
CREATE INDEX "endpoints_available_time_zone_idx" ON "endpoints" ("time_zone", "address") WHERE "state" = 'AVAILABLE' AND "time_zone" IS NOT NULL;
CREATE INDEX "endpoints_available_postal_code_idx" ON "endpoints" ("postal_code", "address") WHERE "state" = 'AVAILABLE' AND "postal_code" IS NOT NULL;
CREATE INDEX "endpoints_available_rate_center_idx" ON "endpoints" ("rate_center", "address") WHERE "state" = 'AVAILABLE' AND "rate_center" IS NOT NULL;
CREATE INDEX "endpoints_available_lata_idx" ON "endpoints" ("lata", "address") WHERE "state" = 'AVAILABLE' AND "lata" IS NOT NULL;
-- the backfill walks rows not yet looked up, by id
CREATE INDEX "endpoints_geo_unchecked_idx" ON "endpoints" ("id") WHERE "geo_checked_at" IS NULL;
