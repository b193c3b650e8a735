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
  /** countries whose rules sell only some kinds (src/domain/regulation.ts): their other kinds are left out */
  soldOnly?: { country: string; kinds: string[] }[];
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

/**
 * Within km of a point, closest first. Endpoints are placed at their
 * locality's coordinates, so many share one point: the distinct points of
 * AVAILABLE rows in the box around the circle come from the (latitude,
 * longitude, address) index alone (20261203040000_endpoint_place_points), the
 * exact great-circle distance keeps those in the circle, and each point's
 * matches are read in address order, at most a page each, from the same
 * index, so only the rows a page returns are fetched. (Before: every row in
 * the box was fetched from the table and sorted: 7,000 rows and ~35 ms for a
 * point in New York at 1,000,000 endpoints, bench/search.bench.ts.)
 */
function nearPointSql(p: { latitude: number; longitude: number; km: number }, select: Prisma.Sql, limit: number): Prisma.Sql {
  const b = boundingBox(p, p.km);
  let lon = Prisma.sql`true`;
  if (b.maxLon - b.minLon < 360) {
    if (b.minLon < -180 || b.maxLon > 180) {
      // the box crosses the antimeridian: two longitude ranges
      const [w, e] = b.minLon < -180 ? [b.minLon + 360, b.maxLon] : [b.minLon, b.maxLon - 360];
      lon = Prisma.sql`(longitude >= ${w}::float8 OR longitude <= ${e}::float8)`;
    } else lon = Prisma.sql`longitude BETWEEN ${b.minLon}::float8 AND ${b.maxLon}::float8`;
  }
  return Prisma.sql`
    WITH points AS MATERIALIZED (
      SELECT latitude AS lat, longitude AS lon, ${haversineSql(p)} AS km
        FROM (SELECT DISTINCT latitude, longitude FROM endpoints
               WHERE state = 'AVAILABLE' AND latitude IS NOT NULL
                 AND latitude BETWEEN ${b.minLat}::float8 AND ${b.maxLat}::float8 AND ${lon}) box
       WHERE ${haversineSql(p)} <= ${p.km}::float8)
    SELECT m.*, round(points.km::numeric, 2)::float8 AS "distanceKm"
      FROM points CROSS JOIN LATERAL (
        ${select} AND latitude = points.lat AND longitude = points.lon ORDER BY address LIMIT ${limit}) m
     ORDER BY "distanceKm", m.address LIMIT ${limit}`;
}

export function searchAvailable(db: Db, q: SearchFilter): Promise<SearchRow[]> {
  return db.$queryRaw<SearchRow[]>(searchStatement(q));
}

/** The one statement searchAvailable runs (bench/search.bench.ts runs it through pg as well). */
export function searchStatement(q: SearchFilter): Prisma.Sql {
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
  for (const c of q.soldOnly ?? []) where.push(Prisma.sql`(country IS DISTINCT FROM ${c.country} OR kind::text = ANY (${c.kinds}::text[]))`);
  let order = Prisma.sql`address`;
  if (q.near) {
    // nearest first: the same exchange, then the closest line number
    where.push(Prisma.sql`npa = ${q.near.npa}`);
    order = Prisma.sql`(nxx = ${q.near.nxx}) DESC, abs(coalesce(line, '0')::int - ${q.near.line}), address`;
  }
  const select = Prisma.sql`
    SELECT address, kind::text, country, npa, nxx, voice_enabled AS voice, sms_enabled AS sms, mms_enabled AS mms,
           fax_enabled AS fax, monthly_cost_cents AS "monthlyCostCents", quality_score AS "qualityScore",
           place, region, locality, time_zone AS "timeZone", latitude, longitude, postal_code AS "postalCode",
           rate_center AS "rateCenter", lata
      FROM endpoints WHERE ${Prisma.join(where, ' AND ')}`;
  if (q.point) return nearPointSql(q.point, select, q.limit);
  // A pattern of 4 or more digits matches few rows (random digits: about 7
  // numbers in 10,000), which the trigram index finds at once. Left alone,
  // the planner may walk the address index instead, hoping to meet `limit`
  // matches early: its LIKE estimate comes from a 100-value histogram, so one
  // chance hit there makes it expect 1% of the table, and a rare pattern then
  // reads most of it (seconds at 1,000,000 rows: bench/search.bench.ts).
  // Collecting the matches first and sorting only those takes that path away.
  const few = !q.near && Math.max(fixedDigits(q.contains), fixedDigits(q.startsWith), fixedDigits(q.endsWith)) >= 4;
  return few
    ? Prisma.sql`WITH matches AS MATERIALIZED (${select}) SELECT * FROM matches ORDER BY ${order} LIMIT ${q.limit}`
    : Prisma.sql`${select} ORDER BY ${order} LIMIT ${q.limit}`;
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
