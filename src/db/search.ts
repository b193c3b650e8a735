// The search of AVAILABLE endpoints: one statement, filtered by tags and
// columns, paged by address or ordered by nearness to a number.
import { Prisma } from './generated/client';
import type { Db } from './client';
import { fixedDigits, type NanpPlace } from '../domain/search';
import { boundingBox, EARTH_RADIUS } from '../domain/geo';

export interface SearchFilter {
  /** classifier tags every match carries, sorted */
  tags: string[];
  /** an exchange without its area code (with one it is a tag) */
  nxx?: string;
  /** any of these kinds (one kind is a tag) */
  kinds?: string[];
  /** capabilities a match must NOT offer (those it must offer are tags) */
  lacking?: ('voice' | 'sms' | 'mms' | 'fax')[];
  /** digit patterns, `*` any one digit */
  contains?: string;
  startsWith?: string;
  endsWith?: string;
  maxPrice?: number;
  minQuality?: number;
  /** the last address of the page before */
  after?: string;
  /** nearest first: the same area code only */
  near?: NanpPlace;
  /** columns a carrier or the place data filled; region and time zone by column (ordered index on each, by address) */
  region?: string;
  timeZone?: string;
  postalCode?: string;
  rateCenter?: string;
  lata?: string;
  /** within km of a point, closest first (geographically: the locality's coordinates) */
  point?: { latitude: number; longitude: number; km: number };
  limit: number;
}

export interface SearchRow {
  address: string;
  kind: string;
  country: string | null;
  npa: string | null;
  nxx: string | null;
  voice: boolean;
  sms: boolean;
  mms: boolean;
  fax: boolean;
  monthlyCostCents: number;
  qualityScore: number | null;
  place: string | null;
  region: string | null;
  locality: string | null;
  timeZone: string | null;
  latitude: number | null;
  longitude: number | null;
  postalCode: string | null;
  rateCenter: string | null;
  lata: string | null;
  /** with `point`: how far, in km */
  distanceKm?: number;
}

/** Great-circle distance (km) from a row's coordinates to a point, as src/domain/geo.ts distanceKm. */
function haversineSql(p: { latitude: number; longitude: number }): Prisma.Sql {
  return Prisma.sql`(2 * ${EARTH_RADIUS}::float8 * asin(least(1, sqrt(
      power(sin(radians(latitude - ${p.latitude}::float8) / 2), 2)
    + cos(radians(${p.latitude}::float8)) * cos(radians(latitude)) * power(sin(radians(longitude - ${p.longitude}::float8) / 2), 2)))))`;
}

export async function searchAvailable(db: Db, q: SearchFilter): Promise<SearchRow[]> {
  const where: Prisma.Sql[] = [Prisma.sql`state = 'AVAILABLE'`];
  if (q.nxx) where.push(Prisma.sql`nxx = ${q.nxx}`);
  if (q.kinds?.length) where.push(Prisma.sql`kind::text = ANY (${q.kinds}::text[])`);
  for (const c of q.lacking ?? []) where.push(Prisma.sql`NOT ${Prisma.raw(`${c}_enabled`)}`);
  if (q.tags.length) where.push(Prisma.sql`classifier_tags @> ${q.tags}::text[]`);
  const like = (p: string) => p.replace(/\*/g, '_');
  // the trigram index on digits serves all three
  if (q.contains) where.push(Prisma.sql`digits LIKE ${`%${like(q.contains)}%`}`);
  if (q.startsWith) where.push(Prisma.sql`digits LIKE ${`${like(q.startsWith)}%`}`);
  if (q.endsWith) where.push(Prisma.sql`digits LIKE ${`%${like(q.endsWith)}`}`);
  if (q.maxPrice !== undefined) where.push(Prisma.sql`monthly_cost_cents <= ${q.maxPrice}`);
  if (q.minQuality !== undefined) where.push(Prisma.sql`quality_score >= ${q.minQuality}`);
  if (q.after) where.push(Prisma.sql`address > ${q.after}`);
  if (q.region) where.push(Prisma.sql`region = ${q.region}`);
  if (q.timeZone) where.push(Prisma.sql`time_zone = ${q.timeZone}`);
  if (q.postalCode) where.push(Prisma.sql`postal_code = ${q.postalCode}`);
  if (q.rateCenter) where.push(Prisma.sql`rate_center = ${q.rateCenter}`);
  if (q.lata) where.push(Prisma.sql`lata = ${q.lata}`);
  let order = Prisma.sql`address`;
  let distance = Prisma.sql``;
  if (q.point) {
    // the box around the circle finds the candidates by the GiST index on the point; the exact distance then keeps and orders them
    const b = boundingBox(q.point, q.point.km);
    const lon = (x: number) => Math.max(-180, Math.min(180, x));
    if (b.maxLon - b.minLon >= 360) where.push(Prisma.sql`latitude BETWEEN ${b.minLat}::float8 AND ${b.maxLat}::float8`);
    else if (b.minLon < -180 || b.maxLon > 180) {
      // the box crosses the antimeridian: two boxes
      const [w, e] = b.minLon < -180 ? [b.minLon + 360, b.maxLon] : [b.minLon, b.maxLon - 360];
      where.push(Prisma.sql`(point(longitude, latitude) <@ box(point(${lon(w)}::float8, ${b.minLat}::float8), point(180, ${b.maxLat}::float8))
                          OR point(longitude, latitude) <@ box(point(-180, ${b.minLat}::float8), point(${lon(e)}::float8, ${b.maxLat}::float8)))`);
    } else {
      where.push(
        Prisma.sql`point(longitude, latitude) <@ box(point(${b.minLon}::float8, ${b.minLat}::float8), point(${b.maxLon}::float8, ${b.maxLat}::float8))`,
      );
    }
    where.push(Prisma.sql`latitude IS NOT NULL AND ${haversineSql(q.point)} <= ${q.point.km}::float8`);
    distance = Prisma.sql`, round(${haversineSql(q.point)}::numeric, 2)::float8 AS "distanceKm"`;
    order = Prisma.sql`"distanceKm", address`;
  }
  if (q.near) {
    // nearest first: the same exchange, then the closest line number
    where.push(Prisma.sql`npa = ${q.near.npa}`);
    order = Prisma.sql`(nxx = ${q.near.nxx}) DESC, abs(coalesce(line, '0')::int - ${q.near.line}), address`;
  }
  const select = Prisma.sql`
    SELECT address, kind::text, country, npa, nxx, voice_enabled AS voice, sms_enabled AS sms, mms_enabled AS mms,
           fax_enabled AS fax, monthly_cost_cents AS "monthlyCostCents", quality_score AS "qualityScore",
           place, region, locality, time_zone AS "timeZone", latitude, longitude, postal_code AS "postalCode",
           rate_center AS "rateCenter", lata${distance}
      FROM endpoints WHERE ${Prisma.join(where, ' AND ')}`;
  // A pattern of 4 or more digits matches few rows (random digits: about 7
  // numbers in 10,000), which the trigram index finds at once. Left alone,
  // the planner may walk the address index instead, hoping to meet `limit`
  // matches early: its LIKE estimate comes from a 100-value histogram, so one
  // chance hit there makes it expect 1% of the table, and a rare pattern then
  // reads most of it (seconds at 1,000,000 rows: bench/search.bench.ts).
  // Collecting the matches first and sorting only those takes that path away.
  const few = !q.near && !q.point && Math.max(fixedDigits(q.contains), fixedDigits(q.startsWith), fixedDigits(q.endsWith)) >= 4;
  return db.$queryRaw<SearchRow[]>(
    few
      ? Prisma.sql`WITH matches AS MATERIALIZED (${select}) SELECT * FROM matches ORDER BY ${order} LIMIT ${q.limit}`
      : Prisma.sql`${select} ORDER BY ${order} LIMIT ${q.limit}`,
  );
}

/** How many AVAILABLE, unclaimed endpoints carry `tags`, counting no further than `upTo` (a bounded read). */
export async function countAvailable(db: Db, tags: string[], upTo: number): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM endpoints
       WHERE state = 'AVAILABLE' AND classifier_tags @> ${tags}::text[] AND (claimed_until IS NULL OR claimed_until < now())
       LIMIT ${upTo}) matches`;
  return row?.n ?? 0;
}

/**
 * The countries (ISO 3166 alpha-2) with at least one AVAILABLE endpoint, in
 * order: a loose index scan (endpoints_available_country_idx), one index probe
 * per country, so its cost follows the countries, not the size of the shelf.
 */
export async function countriesAvailable(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ country: string }[]>`
    WITH RECURSIVE c(country) AS (
      (SELECT country FROM endpoints WHERE state = 'AVAILABLE' AND country IS NOT NULL ORDER BY country LIMIT 1)
      UNION ALL
      SELECT (SELECT e.country FROM endpoints e
               WHERE e.state = 'AVAILABLE' AND e.country IS NOT NULL AND e.country > c.country ORDER BY e.country LIMIT 1)
        FROM c WHERE c.country IS NOT NULL)
    SELECT trim(country) AS country FROM c WHERE country IS NOT NULL`;
  return rows.map((r) => r.country);
}
