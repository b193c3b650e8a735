// The search of AVAILABLE endpoints: one statement, filtered by tags and
// columns, paged by address or ordered by nearness to a number.
import { Prisma } from './generated/client';
import type { Db } from './client';
import { fixedDigits, type NanpPlace } from '../domain/search';

export interface SearchFilter {
  /** classifier tags every match carries, sorted */
  tags: string[];
  /** an exchange without its area code (with one it is a tag) */
  nxx?: string;
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
}

export async function searchAvailable(db: Db, q: SearchFilter): Promise<SearchRow[]> {
  const where: Prisma.Sql[] = [Prisma.sql`state = 'AVAILABLE'`];
  if (q.nxx) where.push(Prisma.sql`nxx = ${q.nxx}`);
  if (q.tags.length) where.push(Prisma.sql`classifier_tags @> ${q.tags}::text[]`);
  const like = (p: string) => p.replace(/\*/g, '_');
  // the trigram index on digits serves all three
  if (q.contains) where.push(Prisma.sql`digits LIKE ${`%${like(q.contains)}%`}`);
  if (q.startsWith) where.push(Prisma.sql`digits LIKE ${`${like(q.startsWith)}%`}`);
  if (q.endsWith) where.push(Prisma.sql`digits LIKE ${`%${like(q.endsWith)}`}`);
  if (q.maxPrice !== undefined) where.push(Prisma.sql`monthly_cost_cents <= ${q.maxPrice}`);
  if (q.minQuality !== undefined) where.push(Prisma.sql`quality_score >= ${q.minQuality}`);
  if (q.after) where.push(Prisma.sql`address > ${q.after}`);
  let order = Prisma.sql`address`;
  if (q.near) {
    // nearest first: the same exchange, then the closest line number
    where.push(Prisma.sql`npa = ${q.near.npa}`);
    order = Prisma.sql`(nxx = ${q.near.nxx}) DESC, abs(coalesce(line, '0')::int - ${q.near.line}), address`;
  }
  const select = Prisma.sql`
    SELECT address, kind::text, country, npa, nxx, voice_enabled AS voice, sms_enabled AS sms, mms_enabled AS mms,
           fax_enabled AS fax, monthly_cost_cents AS "monthlyCostCents", quality_score AS "qualityScore"
      FROM endpoints WHERE ${Prisma.join(where, ' AND ')}`;
  // A pattern of 4 or more digits matches few rows (random digits: about 7
  // numbers in 10,000), which the trigram index finds at once. Left alone,
  // the planner may walk the address index instead, hoping to meet `limit`
  // matches early: its LIKE estimate comes from a 100-value histogram, so one
  // chance hit there makes it expect 1% of the table, and a rare pattern then
  // reads most of it (seconds at 1,000,000 rows: bench/search.bench.ts).
  // Collecting the matches first and sorting only those takes that path away.
  const few = !q.near && Math.max(fixedDigits(q.contains), fixedDigits(q.startsWith), fixedDigits(q.endsWith)) >= 4;
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
