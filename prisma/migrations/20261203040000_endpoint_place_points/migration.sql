-- Searches near a point (nearLatLong, nearNumber) read the distinct points of
-- AVAILABLE rows in the box around the circle, then each point's rows in
-- address order, a page at most (src/db/search.ts nearPointSql): both from
-- this index alone. Endpoints sit at their locality's coordinates, so a city
-- is one point with thousands of rows; the GiST index on the point this
-- replaces made every row in the box be fetched from the table and sorted
-- (API p99 69-78 ms against a 50 ms goal at 1,000,000 endpoints; before and
-- after in bench/search.bench.ts and docs/benchmarks.md).
CREATE INDEX "endpoints_available_lat_lon_address_idx" ON "endpoints" ("latitude", "longitude", "address") WHERE "state" = 'AVAILABLE' AND "latitude" IS NOT NULL;
DROP INDEX IF EXISTS "endpoints_available_point_idx";
