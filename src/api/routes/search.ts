// Search of AVAILABLE endpoints: by place, kind and capability, by digit
// patterns (contains / starts with / ends with; letters map to the phone
// keypad, `*` matches any one digit), near a number, by price and quality;
// paged by address. A search that finds nothing is unmet demand: recorded,
// and the monitor is told.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Prisma } from '../../db/generated/client';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { BadRequest } from '../../domain/errors';
import { principalOf, type Auth } from '../middleware/auth';
import { addressField, areaCode, countryCode } from '../input';
import type { Db } from '../../db/client';
import { lettersToDigits } from '../../domain/classification';

const pattern = (field: string, min: number) =>
  z
    .string()
    .max(20)
    .transform((v, ctx) => {
      const digits = lettersToDigits(v);
      if (!/^[0-9*]+$/.test(digits)) {
        ctx.addIssue({ code: 'custom', message: 'digits, letters (phone keypad) or * only' });
        return z.NEVER;
      }
      if (digits.replace(/\*/g, '').length < min) {
        ctx.addIssue({ code: 'custom', message: `at least ${min} digits (shorter patterns match too much to search fast)` });
        return z.NEVER;
      }
      return digits;
    })
    .describe(field);

const Query = z
  .object({
    country: countryCode.optional(),
    npa: areaCode.optional(),
    nxx: z.string().regex(/^\d{3}$/, '3 digits').optional(),
    kind: z.enum(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'SHORT_CODE', 'SIP']).optional(),
    capabilities: z
      .string()
      .regex(/^(voice|sms|mms|fax)(,(voice|sms|mms|fax))*$/, 'comma-separated: voice, sms, mms, fax')
      .optional(),
    contains: pattern('contains', 4).optional(),
    startsWith: pattern('startsWith', 1).optional(),
    endsWith: pattern('endsWith', 1).optional(),
    near: z.string().max(30).optional(),
    maxPrice: z.coerce.number().int().min(0).max(2_147_483_647).optional(), // the column is a 32-bit integer
    minQuality: z.coerce.number().min(0).max(1).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    after: z.string().max(100).optional(),
  })
  .strict();

export interface SearchDeps {
  db: Db;
  notify: () => void;
}

interface Row {
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

export function searchRoutes(deps: SearchDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'),
    method: 'get', path: '/v1/endpoints', summary: 'Search AVAILABLE endpoints (paged by address: pass the last address as `after`)',
    request: { query: Query },
    responses: { 200: { description: 'matches', ...json(z.object({ endpoints: z.array(z.record(z.string(), z.unknown())), next: z.string().nullable() })) }, 400: error, 401: error, 403: error },
  });

  router.get('/v1/endpoints', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    const q = Query.parse(req.query);
    const where: Prisma.Sql[] = [Prisma.sql`state = 'AVAILABLE'`];
    const tags: string[] = [];
    if (q.country) tags.push(`country:${q.country.toLowerCase()}`);
    if (q.npa) tags.push(`npa:${q.npa}`);
    if (q.npa && q.nxx) tags.push(`nxx:${q.npa}${q.nxx}`);
    else if (q.nxx) where.push(Prisma.sql`nxx = ${q.nxx}`);
    if (q.kind) tags.push(`kind:${q.kind.toLowerCase()}`);
    for (const c of q.capabilities?.split(',') ?? []) tags.push(`cap:${c}`);
    if (tags.length) where.push(Prisma.sql`classifier_tags @> ${tags.sort()}::text[]`);
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
      const near = addressField(q.near, 'near');
      const digits = near.replace(/^\+1/, '');
      if (!/^\d{10}$/.test(digits)) throw new BadRequest('near: a NANP number (+1 and ten digits)', [{ field: 'near', reason: 'a NANP number (+1 and ten digits)' }]);
      where.push(Prisma.sql`npa = ${digits.slice(0, 3)}`);
      order = Prisma.sql`(nxx = ${digits.slice(3, 6)}) DESC, abs(coalesce(line, '0')::int - ${Number(digits.slice(6))}), address`;
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
    const fixed = (p: string | undefined) => (p ?? '').replace(/\*/g, '').length;
    const few = !q.near && Math.max(fixed(q.contains), fixed(q.startsWith), fixed(q.endsWith)) >= 4;
    const rows = await deps.db.$queryRaw<Row[]>(
      few
        ? Prisma.sql`WITH matches AS MATERIALIZED (${select}) SELECT * FROM matches ORDER BY ${order} LIMIT ${q.limit}`
        : Prisma.sql`${select} ORDER BY ${order} LIMIT ${q.limit}`,
    );
    if (rows.length === 0 && !q.after) {
      await deps.db.unmetSearch.create({ data: { tags: tags.sort(), accountId: principalOf(req).accountIds[0] ?? null } });
      deps.notify();
    }
    res.json({
      endpoints: rows.map((r) => ({
        address: r.address, kind: r.kind, country: r.country?.trim() ?? null, npa: r.npa, nxx: r.nxx,
        capabilities: (['voice', 'sms', 'mms', 'fax'] as const).filter((c) => r[c]),
        monthlyCostCents: r.monthlyCostCents, qualityScore: r.qualityScore,
      })),
      next: rows.length === q.limit && !q.near ? rows.at(-1)!.address : null,
    });
  });
  return router;
}
