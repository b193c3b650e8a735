// Benchmark: search over 1,000,000 AVAILABLE endpoints through the API
// (GET /v1/endpoints, 4 concurrent clients) by digit pattern — contains 4 to 7
// digits, contains within an area code, starts with, ends with — against, in
// the same run and at the same concurrency, the cheapest routes (/health; the
// routing lookup, one indexed read behind the key check) and the search's own
// SQL run directly through pg — and that SQL as the route built it before it
// collected a 4-digit pattern's matches first (same indexes), to show what
// that change is worth. The slowest query of each kind is explained (EXPLAIN
// ANALYZE) in the result file.
//
//   node --import tsx bench/search.bench.ts     (BENCH_ENDPOINTS=1000000, BENCH_QUERIES=1000 per kind)
//
// Own PostgreSQL cluster (`bench` :55532, or EI_BENCH_PG_CLUSTER / EI_BENCH_PG_PORT;
// fsync on unless BENCH_FSYNC=off) and Temporal dev server (:7534 or
// BENCH_TEMPORAL_PORT, for the API's unmet-demand signal only); the API runs
// as a child process. Place cases (region, locality, near a point, near a
// number, postal code, rate center, LATA) are asked of the same rows, whose
// geography is what src/domain/geo.ts gives each exchange.
import { Agent } from 'node:http';
import { Pool } from 'pg';
import { createApiKey } from '../src/usecases/keys';
import { QUALITY_BANDS } from '../src/domain/classification';
import { createDb } from '../src/db/client';
import { inherentTags } from '../src/domain/classification';
import { boundingBox, placeOf, type Place } from '../src/domain/geo';
import { searchStatement } from '../src/db/search';
import { parseAddress } from '../src/domain/numbers';
import { say } from '../scripts/lib/stack';
import {
  CpuMeter,
  benchDatabase,
  benchSettings,
  benchTemporal,
  closedLoop,
  countBy,
  envNumber,
  httpRequest,
  latency,
  machine,
  postmasterPid,
  printTable,
  prng,
  runBench,
  startApi,
  times,
  writeResult,
  type Run,
} from './lib';

const ENDPOINTS = envNumber('BENCH_ENDPOINTS', 1_000_000);
const QUERIES = envNumber('BENCH_QUERIES', 1000);
const CLIENTS = 4;
const TEMPORAL_PORT = envNumber('BENCH_TEMPORAL_PORT', 7534);
const LIMIT = 20;
const ACCOUNT = 'acct-bench';
const GOAL = { containsP99AtMostMs: 50, placeP99AtMostMs: 50 };
const CHUNK = 100_000;

/** 300 plausible area codes: no N11, no 9 in the middle, none starting 0 or 1. */
const NPAS = (() => {
  const out: string[] = [];
  for (let n = 201; out.length < 300; n++) {
    const s = String(n);
    if (s[1] === '9' || s.slice(1) === '11' || s.endsWith('00')) continue;
    out.push(s);
  }
  return out;
})();

interface Search {
  npa?: string;
  contains?: string;
  startsWith?: string;
  endsWith?: string;
  region?: string;
  locality?: string;
  nearLatLong?: string;
  distanceKm?: string;
  rateCenter?: string;
  lata?: string;
  postalCode?: string;
  nearNumber?: string;
}

/** The exchanges the rows use (npa × nxx), each with its place as the geo data gives it and a made-up rate center / LATA. */
interface Exchange {
  prefix: string;
  place: Place;
  tags: string[];
  rateCenter: string;
  lata: string;
}
const EXCHANGES: Exchange[] = (() => {
  const out: Exchange[] = [];
  for (const npa of NPAS) {
    for (let k = 0; k < 100; k++) {
      const nxx = String(200 + k * 7);
      const address = `+1${npa}${nxx}0000`;
      const place = placeOf({ address, country: 'US', kind: 'FIXED_LINE_OR_MOBILE' });
      let tags: string[] = [];
      try {
        tags = inherentTags(parseAddress(address), place).filter((t) => /^(region|locality|tz):/.test(t));
      } catch {
        // not a valid number for libphonenumber: no place tags (its columns are null as well, since placeOf found nothing)
      }
      out.push({ prefix: npa + nxx, place, tags, rateCenter: `RC${npa}${k % 10}`, lata: String(100 + (Number(npa) % 400)) });
    }
  }
  return out;
})();
const placed = EXCHANGES.filter((e) => e.place.region !== null);
const withTown = EXCHANGES.filter((e) => e.place.locality !== null && e.place.latitude !== null && e.place.region !== null);
const withPostalCode = EXCHANGES.filter((e) => e.place.postalCode !== null);
const anyOf = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;

const random = prng(20261126);
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
const anyNpa = () => NPAS[Math.floor(random() * NPAS.length)]!;

/** The kinds of search asked, each a generator of its questions. */
const KINDS: { name: string; contains: boolean; make: () => Search }[] = [
  { name: 'contains 4', contains: true, make: () => ({ contains: digits(4) }) },
  { name: 'contains 5', contains: true, make: () => ({ contains: digits(5) }) },
  { name: 'contains 6', contains: true, make: () => ({ contains: digits(6) }) },
  { name: 'contains 7', contains: true, make: () => ({ contains: digits(7) }) },
  { name: 'npa + contains 4', contains: true, make: () => ({ npa: anyNpa(), contains: digits(4) }) },
  { name: 'startsWith npa+1..3', contains: false, make: () => ({ startsWith: anyNpa() + digits(1 + Math.floor(random() * 3)) }) },
  { name: 'endsWith 4', contains: false, make: () => ({ endsWith: digits(4) }) },
  { name: 'npa + endsWith 4', contains: false, make: () => ({ npa: anyNpa(), endsWith: digits(4) }) },
];

/** Place searches: through the API only (their SQL is src/db/search.ts's point and column branches). */
const PLACE_KINDS: { name: string; make: () => Search }[] = [
  { name: 'region', make: () => ({ region: anyOf(placed).place.region! }) },
  {
    name: 'region + locality',
    make: () => {
      const e = anyOf(withTown);
      return { region: e.place.region!, locality: e.place.locality! };
    },
  },
  {
    name: 'near a point, 25 km',
    make: () => {
      const e = anyOf(withTown);
      return { nearLatLong: `${e.place.latitude},${e.place.longitude}`, distanceKm: '25' };
    },
  },
  {
    name: 'near a number, 25 km',
    // geographically: where the number is placed (its exchange's town), not its digits
    make: () => ({ nearNumber: `+1${anyOf(withTown).prefix}${digits(4)}`, distanceKm: '25' }),
  },
  { name: 'postalCode', make: () => ({ postalCode: anyOf(withPostalCode).place.postalCode! }) },
  { name: 'rateCenter', make: () => ({ rateCenter: anyOf(EXCHANGES).rateCenter }) },
  { name: 'lata', make: () => ({ lata: anyOf(EXCHANGES).lata }) },
];

/** The point a near search asks about: its latitude,longitude, or where its number is placed. */
function pointOf(s: Search): { latitude: number; longitude: number; km: number } | null {
  const km = Number(s.distanceKm ?? 25);
  if (s.nearLatLong) {
    const [latitude, longitude] = s.nearLatLong.split(',').map(Number) as [number, number];
    return { latitude, longitude, km };
  }
  if (s.nearNumber) {
    const p = placeOf(parseAddress(s.nearNumber));
    return p.latitude !== null && p.longitude !== null ? { latitude: p.latitude, longitude: p.longitude, km } : null;
  }
  return null;
}

/** A near search as src/db/search.ts ran it before 20261203040000: every row in the box through the GiST point index, fetched, measured and sorted. */
function nearSqlAsBefore(p: { latitude: number; longitude: number; km: number }): { text: string; values: unknown[] } {
  const b = boundingBox(p, p.km);
  const hav = `(2 * 6371::float8 * asin(least(1, sqrt(power(sin(radians(latitude - $1::float8) / 2), 2)
    + cos(radians($1::float8)) * cos(radians(latitude)) * power(sin(radians(longitude - $2::float8) / 2), 2)))))`;
  return {
    text: `SELECT address, kind::text, country, npa, nxx, voice_enabled AS voice, sms_enabled AS sms, mms_enabled AS mms,
       fax_enabled AS fax, monthly_cost_cents AS "monthlyCostCents", quality_score AS "qualityScore",
       place, region, locality, time_zone AS "timeZone", latitude, longitude, postal_code AS "postalCode",
       rate_center AS "rateCenter", lata, round(${hav}::numeric, 2)::float8 AS "distanceKm"
  FROM endpoints WHERE state = 'AVAILABLE'
   AND point(longitude, latitude) <@ box(point($3::float8, $4::float8), point($5::float8, $6::float8))
   AND latitude IS NOT NULL AND ${hav} <= $7::float8
 ORDER BY "distanceKm", address LIMIT ${LIMIT}`,
    values: [p.latitude, p.longitude, b.minLon, b.minLat, b.maxLon, b.maxLat, p.km],
  };
}

const query = (s: Search) => new URLSearchParams(Object.entries(s) as [string, string][]).toString();

/**
 * The SQL src/db/search.ts builds for these parameters, as it sends
 * it (parameters bound, LIMIT 20, ordered by address); with `unfenced`, as it
 * was before it collected the matches of a 4-digit pattern first.
 */
function searchSql(s: Search, unfenced = false): { text: string; values: unknown[] } {
  const where = [`state = 'AVAILABLE'`];
  const values: unknown[] = [];
  const bind = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (s.npa) where.push(`classifier_tags @> ${bind([`npa:${s.npa}`])}::text[]`);
  if (s.contains) where.push(`digits LIKE ${bind(`%${s.contains}%`)}`);
  if (s.startsWith) where.push(`digits LIKE ${bind(`${s.startsWith}%`)}`);
  if (s.endsWith) where.push(`digits LIKE ${bind(`%${s.endsWith}`)}`);
  const select = `SELECT address, kind::text, country, npa, nxx, voice_enabled AS voice, sms_enabled AS sms, mms_enabled AS mms,
       fax_enabled AS fax, monthly_cost_cents AS "monthlyCostCents", quality_score AS "qualityScore"
  FROM endpoints WHERE ${where.join(' AND ')}`;
  const few = Math.max(...[s.contains, s.startsWith, s.endsWith].map((p) => (p ?? '').replace(/\*/g, '').length)) >= 4;
  const text =
    few && !unfenced
      ? `WITH matches AS MATERIALIZED (${select}) SELECT * FROM matches ORDER BY address LIMIT ${bind(LIMIT)}`
      : `${select} ORDER BY address LIMIT ${bind(LIMIT)}`;
  return { text, values };
}

/** A plan's nodes, outermost first: "Limit > Sort > Bitmap Heap Scan on endpoints > …". */
const outline = (plan: string) =>
  plan
    .split('\n')
    .filter((l, i) => i === 0 || l.includes('->'))
    .map((l) => {
      const est = /\(cost=\S+ rows=(\d+)/.exec(l)?.[1];
      const got = /\(actual time=\S+ rows=(\d+)/.exec(l)?.[1];
      return `${l.replace(/^\s*(->\s*)?/, '').replace(/\s*\(cost.*$/, '')} [rows est ${est}, got ${got}]`;
    })
    .join(' > ');

runBench(async (teardown) => {
  const startedOn = machine();
  // BENCH_KEEP_ROWS=1: keep the rows an earlier run generated (if they are the same number), to re-measure quickly
  const keep = process.env.BENCH_KEEP_ROWS === '1';
  const { pg, url } = await benchDatabase('endpoint_inventory_searchbench', teardown, { keep });
  const { address: temporalAddress, pid: temporalPid } = await benchTemporal(TEMPORAL_PORT, teardown);
  const db = createDb(url, 4);
  teardown.add('Prisma', () => db.$disconnect());
  const pool = new Pool({ connectionString: url, max: CLIENTS });
  teardown.add('pg pool', () => pool.end());

  // ---------------------------------------------------------------- the rows
  // Each area code gets ~100 exchanges; each exchange's line numbers are drawn
  // within blocks, so every address is distinct and the digits look like a
  // carrier's: npa(3) nxx(3) line(4).
  const perNpa = Math.ceil(ENDPOINTS / NPAS.length);
  const blocks = Math.ceil(perNpa / 100);
  const span = Math.floor(10_000 / blocks);
  // (rows of a run before postal codes were generated are not kept)
  const kept =
    keep &&
    (await pool.query<{ ok: boolean }>(`SELECT count(*) = $1 AND count(postal_code) > 0 AS ok FROM endpoints WHERE state = 'AVAILABLE'`, [ENDPOINTS])).rows[0]
      ?.ok === true;
  if (keep && !kept) await pool.query('TRUNCATE endpoints, accounts, api_keys, unmet_searches CASCADE');
  const t = performance.now();
  if (kept) say(`keeping the ${ENDPOINTS} endpoints of an earlier run`);
  else say(`generating ${ENDPOINTS} AVAILABLE endpoints over ${NPAS.length} area codes`);
  say(`  ${placed.length} of ${EXCHANGES.length} exchanges placed by the geo data, ${withTown.length} to a town with coordinates`);
  const g = (f: (e: Exchange) => unknown) => EXCHANGES.map(f);
  for (let from = 0; !kept && from < ENDPOINTS; from += CHUNK) {
    const to = Math.min(ENDPOINTS, from + CHUNK) - 1;
    await pool.query(
      `WITH geo AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::text[], $10::text[], $11::text[], $12::text[])
                      AS g(prefix, place, region, locality, time_zone, latitude, longitude, tags, rate_center, lata, postal_code))
       INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, state, voice_capable, sms_capable, mms_capable,
                              voice_enabled, sms_enabled, mms_enabled, monthly_cost_cents, quality_score, classifier_tags,
                              place, region, locality, time_zone, latitude, longitude, rate_center, lata, postal_code, geo_checked_at)
       SELECT '+1' || npa || nxx || line, kind::"EndpointKind", 'US', npa, nxx, line, npa || nxx || line, 'AVAILABLE',
              voice, sms, mms, voice, sms, mms, 100 + (i % 5) * 50, quality,
              ARRAY(SELECT unnest(string_to_array(geo.tags, ',') || ARRAY['country:us', 'npa:' || npa, 'nxx:' || npa || nxx, 'kind:' || lower(kind), 'clean:clean',
                                        'quality:' || CASE WHEN quality >= ${QUALITY_BANDS.high} THEN 'high' WHEN quality >= ${QUALITY_BANDS.medium} THEN 'medium' ELSE 'low' END]
                                  || CASE WHEN voice THEN ARRAY['cap:voice'] ELSE ARRAY[]::text[] END
                                  || CASE WHEN sms THEN ARRAY['cap:sms'] ELSE ARRAY[]::text[] END
                                  || CASE WHEN mms THEN ARRAY['cap:mms'] ELSE ARRAY[]::text[] END) ORDER BY 1),
              geo.place, geo.region, geo.locality, geo.time_zone, geo.latitude, geo.longitude, geo.rate_center, geo.lata, geo.postal_code, now()
         FROM (SELECT i, ($1::text[])[1 + i % ${NPAS.length}] AS npa,
                      (200 + ((i / ${NPAS.length}) % 100) * 7)::text AS nxx,
                      lpad(((i / ${NPAS.length} / 100) * ${span} + floor(random() * ${span}))::int::text, 4, '0') AS line,
                      CASE WHEN r < 0.6 THEN 'FIXED_LINE_OR_MOBILE' WHEN r < 0.9 THEN 'MOBILE' ELSE 'FIXED_LINE' END AS kind,
                      random() < 0.9 AS voice, random() < 0.8 AS sms, random() < 0.3 AS mms,
                      round((0.3 + random() * 0.7)::numeric, 2)::float8 AS quality
                 FROM (SELECT i, random() AS r FROM generate_series(${from}, ${to}) i) g) s
         JOIN geo ON geo.prefix = npa || nxx`,
      [
        NPAS,
        g((e) => e.prefix),
        g((e) => e.place.place),
        g((e) => e.place.region),
        g((e) => e.place.locality),
        g((e) => e.place.timeZone),
        g((e) => e.place.latitude),
        g((e) => e.place.longitude),
        g((e) => e.tags.join(',')),
        g((e) => e.rateCenter),
        g((e) => e.lata),
        g((e) => e.place.postalCode),
      ],
    );
    say(`  ${to + 1}/${ENDPOINTS} (${Math.round((performance.now() - t) / 1000)} s)`);
  }
  // a few allocated numbers, so the routing lookup baseline answers 200
  if (!kept)
    await pool.query(`
    INSERT INTO accounts (id, name) VALUES ('${ACCOUNT}', 'bench');
    INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, state, account_id, application_uri, classifier_tags)
    SELECT '+1999555' || lpad(i::text, 4, '0'), 'FIXED_LINE_OR_MOBILE', 'US', '999', '555', lpad(i::text, 4, '0'),
           '999555' || lpad(i::text, 4, '0'), 'ALLOCATED', '${ACCOUNT}', 'https://app.example/voice/' || i, ARRAY['npa:999']
      FROM generate_series(0, 999) i`);
  say(`  VACUUM ANALYZE`);
  await pool.query('VACUUM ANALYZE endpoints');
  const generateMs = performance.now() - t;
  const size = (
    await pool.query<{ table: string; digits_trgm: string; tags_gin: string }>(`
    SELECT pg_size_pretty(pg_table_size('endpoints')) AS table, pg_size_pretty(pg_relation_size('endpoints_digits_trgm_idx')) AS digits_trgm,
           pg_size_pretty(pg_relation_size('endpoints_state_classifier_tags_idx')) AS tags_gin`)
  ).rows[0];
  say(`  done in ${Math.round(generateMs / 1000)} s: ${JSON.stringify(size)}`);

  const { url: apiUrl, api } = await startApi(
    { ...process.env, NODE_ENV: 'production', DATABASE_URL: url, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: 'bench-search' },
    teardown,
  );
  const { key } = await createApiKey(db, { name: 'bench search', scope: 'PLATFORM', accountIds: [ACCOUNT] });
  await pool.query('DELETE FROM unmet_searches');
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const headers = { authorization: `Bearer ${key}` };
  const get = (path: string) => httpRequest(agent, 'GET', `${apiUrl}${path}`, { headers });

  // ---------------------------------------------------------------- refusal
  const short = await get('/v1/endpoints?contains=225');
  const shortIssue = (JSON.parse(short.body) as { errors?: { field: string; reason: string }[] }).errors?.[0];
  const refusal = { status: short.status, field: shortIssue?.field ?? null, reason: shortIssue?.reason ?? null };
  say(`contains=225 → ${refusal.status} ${refusal.field}: ${refusal.reason}`);

  // ---------------------------------------------------------------- runs
  const unexpected: string[] = [];
  const found: Record<string, number[]> = {};
  const viaApi = (kind: string, questions: Search[]) =>
    closedLoop(CLIENTS, times(questions.length), async (i) => {
      const res = await get(`/v1/endpoints?${query(questions[i]!)}`);
      if (res.status !== 200) {
        if (unexpected.length < 10) unexpected.push(`${kind} ${query(questions[i]!)} → ${res.status} ${res.body.slice(0, 200)}`);
        return String(res.status);
      }
      (found[kind] ??= []).push((JSON.parse(res.body) as { endpoints: unknown[] }).endpoints.length);
      return '200';
    });
  const slowestSql: Record<string, { search: Search; ms: number }> = {};
  const viaSql = (kind: string, questions: Search[], unfenced = false) =>
    closedLoop(CLIENTS, times(questions.length), async (i) => {
      const { text, values } = searchSql(questions[i]!, unfenced);
      if (unfenced) {
        await pool.query(text, values);
        return '200';
      }
      const start = performance.now();
      await pool.query(text, values);
      const ms = performance.now() - start;
      if (ms > (slowestSql[kind]?.ms ?? -1)) slowestSql[kind] = { search: questions[i]!, ms };
      return '200';
    });
  const routed = Array.from({ length: QUERIES }, (_, i) => encodeURIComponent(`+1999555${String(i % 1000).padStart(4, '0')}`));
  const baseline = (path: (i: number) => string) => closedLoop(CLIENTS, times(QUERIES), async (i) => String((await get(path(i))).status));

  say('warm-up (untimed)');
  for (const kind of KINDS) {
    const warm = Array.from({ length: 50 }, kind.make);
    await viaApi('warm-up', warm);
    await viaSql('warm-up', warm);
  }
  for (const kind of PLACE_KINDS) await viaApi('warm-up', Array.from({ length: 50 }, kind.make));
  await baseline(() => '/health');
  await baseline((i) => `/v1/routes/${routed[i]}`);
  delete found['warm-up'];

  const meter = new CpuMeter({ api: { pid: api.pid }, temporal: { pid: temporalPid }, postgres: { pid: postmasterPid(pg), tree: true } });
  const figures = (r: Run) => ({
    latencyMs: latency(r.samples.map((s) => s.ms)),
    perSecond: Math.round(r.samples.length / (r.wallMs / 1000)),
    statuses: countBy(r.samples, (s) => s.outcome),
  });

  say(`baseline: GET /health, GET /v1/routes/{address} — ${QUERIES} each, ${CLIENTS} clients`);
  const health = await meter.measure(() => baseline(() => '/health'));
  const route = await meter.measure(() => baseline((i) => `/v1/routes/${routed[i]}`));

  const kinds: Record<string, unknown>[] = [];
  for (const kind of KINDS) {
    const questions = Array.from({ length: QUERIES }, kind.make);
    say(`${kind.name}: ${QUERIES} searches through the API, then the same SQL through pg`);
    const viaHttp = await meter.measure(() => viaApi(kind.name, questions));
    const viaPg = await meter.measure(() => viaSql(kind.name, questions));
    // the route's SQL as it was before it collected a 4-digit pattern's matches first
    const unfenced = await viaSql(kind.name, questions, true);
    const counts = found[kind.name] ?? [];
    kinds.push({
      kind: kind.name,
      example: query(questions[0]!),
      api: { ...figures(viaHttp.result), cpuSeconds: viaHttp.cpuSeconds },
      sql: { ...figures(viaPg.result), cpuSeconds: viaPg.cpuSeconds },
      sqlAsBeforeTheFix: figures(unfenced),
      rowsReturned: {
        mean: +(counts.reduce((a, b) => a + b, 0) / (counts.length || 1)).toFixed(1),
        empty: counts.filter((c) => c === 0).length,
        full: counts.filter((c) => c === LIMIT).length,
      },
    });
  }

  // the GiST point index the near searches used before 20261203040000, for their SQL as it was (dropped again below)
  await pool.query(
    `CREATE INDEX IF NOT EXISTS bench_point_idx_as_before ON endpoints USING GIST (point(longitude, latitude)) WHERE state = 'AVAILABLE' AND latitude IS NOT NULL`,
  );
  await pool.query('ANALYZE endpoints');
  const placeKinds: {
    kind: string;
    example: string;
    sql?: ReturnType<typeof figures>;
    sqlAsBeforeTheFix?: ReturnType<typeof figures>;
    api: ReturnType<typeof figures> & { cpuSeconds: unknown };
    rowsReturned: { mean: number; empty: number; full: number };
  }[] = [];
  for (const kind of PLACE_KINDS) {
    const questions = Array.from({ length: QUERIES }, kind.make);
    say(`${kind.name}: ${QUERIES} searches through the API`);
    const viaHttp = await meter.measure(() => viaApi(kind.name, questions));
    const counts = found[kind.name] ?? [];
    // near a point or a number: the route's SQL through pg, and the SQL as it was (GiST point index), same questions, same run
    const points = questions.map(pointOf);
    const sqlRuns = points.some((p) => p !== null)
      ? await (async () => {
          const asked = points.filter((p): p is NonNullable<typeof p> => p !== null);
          const now = await closedLoop(CLIENTS, times(asked.length), async (i) => {
            const st = searchStatement({ tags: [], point: asked[i]!, limit: LIMIT });
            await pool.query(st.text, st.values);
            return '200';
          });
          const before = await closedLoop(CLIENTS, times(asked.length), async (i) => {
            const { text, values } = nearSqlAsBefore(asked[i]!);
            await pool.query(text, values);
            return '200';
          });
          return { sql: figures(now), sqlAsBeforeTheFix: figures(before) };
        })()
      : {};
    placeKinds.push({
      kind: kind.name,
      example: query(questions[0]!),
      ...sqlRuns,
      api: { ...figures(viaHttp.result), cpuSeconds: viaHttp.cpuSeconds },
      rowsReturned: {
        mean: +(counts.reduce((a, b) => a + b, 0) / (counts.length || 1)).toFixed(1),
        empty: counts.filter((c) => c === 0).length,
        full: counts.filter((c) => c === LIMIT).length,
      },
    });
  }

  await pool.query('DROP INDEX IF EXISTS bench_point_idx_as_before');
  say('baseline again: GET /health (drift check)');
  const healthAfter = await meter.measure(() => baseline(() => '/health'));

  // ---------------------------------------------------------------- plans
  say('EXPLAIN ANALYZE: of each kind, the slowest search of the SQL run, one that fills a page, one that finds nothing');
  const plans: Record<string, { why: string; search: Search; executionMs: number; plan: string }[]> = {};
  const explain = async (kind: string, why: string, search: Search) => {
    const { text, values } = searchSql(search);
    const explained = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
    const plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
    (plans[kind] ??= []).push({ why, search, executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN), plan });
  };
  for (const kind of KINDS) {
    const worst = slowestSql[kind.name];
    if (worst) await explain(kind.name, `slowest in the SQL run (${worst.ms.toFixed(1)} ms)`, worst.search);
    for (const [why, fits] of [
      ['fills a page', (n: number) => n === LIMIT],
      ['finds nothing', (n: number) => n === 0],
    ] as const) {
      for (let tries = 0; tries < 200; tries++) {
        const search = kind.make();
        const { text, values } = searchSql(search);
        if (!fits((await pool.query(text, values)).rowCount ?? 0)) continue;
        await explain(kind.name, why, search);
        break;
      }
    }
  }

  // ---------------------------------------------------------------- report
  const h = figures(health.result);
  const h2 = figures(healthAfter.result);
  const r = figures(route.result);
  type KindFigures = {
    kind: string;
    api: ReturnType<typeof figures>;
    sql: ReturnType<typeof figures>;
    sqlAsBeforeTheFix: ReturnType<typeof figures>;
    rowsReturned: { mean: number; empty: number };
  };
  const rowsOut = (kinds as KindFigures[]).map((k) => [
    k.kind,
    k.api.latencyMs.p50,
    k.api.latencyMs.p99,
    k.api.latencyMs.max,
    k.sql.latencyMs.p50,
    k.sql.latencyMs.p99,
    k.sqlAsBeforeTheFix.latencyMs.p99,
    k.sqlAsBeforeTheFix.latencyMs.max,
    +(k.api.latencyMs.p99 / h.latencyMs.p99).toFixed(1),
    +(k.api.latencyMs.p99 / k.sql.latencyMs.p99).toFixed(2),
    k.rowsReturned.mean,
    k.rowsReturned.empty,
  ]);
  console.log();
  printTable(
    ['query', 'api p50', 'api p99', 'api max', 'sql p50', 'sql p99', 'old sql p99', 'old sql max', 'p99/health', 'p99 api/sql', 'rows', 'empty'],
    [
      ['GET /health', h.latencyMs.p50, h.latencyMs.p99, h.latencyMs.max, '', '', '', '', 1, '', '', ''],
      [
        'GET /health (after)',
        h2.latencyMs.p50,
        h2.latencyMs.p99,
        h2.latencyMs.max,
        '',
        '',
        '',
        '',
        +(h2.latencyMs.p99 / h.latencyMs.p99).toFixed(1),
        '',
        '',
        '',
      ],
      [
        'GET /v1/routes/{address}',
        r.latencyMs.p50,
        r.latencyMs.p99,
        r.latencyMs.max,
        '',
        '',
        '',
        '',
        +(r.latencyMs.p99 / h.latencyMs.p99).toFixed(1),
        '',
        '',
        '',
      ],
      ...rowsOut,
      ...placeKinds.map((k) => [
        k.kind,
        k.api.latencyMs.p50,
        k.api.latencyMs.p99,
        k.api.latencyMs.max,
        k.sql?.latencyMs.p50 ?? '',
        k.sql?.latencyMs.p99 ?? '',
        k.sqlAsBeforeTheFix?.latencyMs.p99 ?? '',
        k.sqlAsBeforeTheFix?.latencyMs.max ?? '',
        +(k.api.latencyMs.p99 / h.latencyMs.p99).toFixed(1),
        k.sql ? +(k.api.latencyMs.p99 / k.sql.latencyMs.p99).toFixed(2) : '',
        k.rowsReturned.mean,
        k.rowsReturned.empty,
      ]),
    ],
  );
  console.log(`(ms; ${QUERIES} queries per row, ${CLIENTS} clients; old sql = the route's previous SQL (digits: no MATERIALIZED, same indexes;`);
  console.log(` near: every row in the box through the GiST point index, before 20261203040000);`);
  console.log(` rows = mean rows returned, empty = searches that found nothing)`);
  const containsP99 = Math.max(...(kinds as KindFigures[]).filter((k) => KINDS.find((x) => x.name === k.kind)?.contains).map((k) => k.api.latencyMs.p99));
  console.log(
    `worst contains p99 ${containsP99} ms (goal <= ${GOAL.containsP99AtMostMs}); contains=225 → ${refusal.status} (${refusal.field}: ${refusal.reason})`,
  );
  const placeP99 = Math.max(...placeKinds.map((k) => k.api.latencyMs.p99));
  const placeVsContains = +(placeP99 / containsP99).toFixed(2);
  console.log(`worst place p99 ${placeP99} ms (goal <= ${GOAL.placeP99AtMostMs}); ${placeVsContains}× the worst contains p99 of this run`);
  for (const k of placeKinds)
    console.log(`  ${k.kind.padEnd(22)} p99 ${k.api.latencyMs.p99} ms = ${(k.api.latencyMs.p99 / containsP99).toFixed(2)}× worst contains p99`);
  for (const [kind, ps] of Object.entries(plans)) {
    for (const p of ps)
      console.log(`  ${kind.padEnd(20)} ${p.why.padEnd(36)} ${query(p.search).padEnd(28)} ${String(p.executionMs).padStart(8)} ms  ${outline(p.plan)}`);
  }
  if (unexpected.length) console.log(`unexpected answers: ${unexpected.join(' | ')}`);

  const result = {
    bench: 'search',
    date: new Date().toISOString(),
    command: `${ENDPOINTS === 1_000_000 ? '' : `BENCH_ENDPOINTS=${ENDPOINTS} `}${QUERIES === 1000 ? '' : `BENCH_QUERIES=${QUERIES} `}${process.env.BENCH_FSYNC ? `BENCH_FSYNC=${process.env.BENCH_FSYNC} ` : ''}node --import tsx bench/search.bench.ts`,
    machine: startedOn,
    parameters: {
      endpoints: ENDPOINTS,
      areaCodes: NPAS.length,
      queriesPerKind: QUERIES,
      clients: CLIENTS,
      limit: LIMIT,
      ...benchSettings(),
      generatedInSeconds: kept ? 'kept from an earlier run' : Math.round(generateMs / 1000),
      sizes: size,
    },
    refusalOf3DigitContains: refusal,
    baselines: {
      health: { ...h, cpuSeconds: health.cpuSeconds },
      healthAfter: { ...h2, cpuSeconds: healthAfter.cpuSeconds },
      routingLookup: { ...r, cpuSeconds: route.cpuSeconds },
    },
    kinds,
    placeKinds,
    placeVsContainsP99: placeVsContains,
    placeRatios: placeKinds.map((k) => ({
      kind: k.kind,
      p99Ms: k.api.latencyMs.p99,
      toWorstContainsP99: +(k.api.latencyMs.p99 / containsP99).toFixed(2),
      toHealthP99: +(k.api.latencyMs.p99 / h.latencyMs.p99).toFixed(1),
      toRoutingLookupP99: +(k.api.latencyMs.p99 / r.latencyMs.p99).toFixed(1),
    })),
    plans,
    unexpected,
    goal: GOAL,
    met: {
      containsP99: containsP99 <= GOAL.containsP99AtMostMs,
      placeP99: placeP99 <= GOAL.placeP99AtMostMs,
      refuses3DigitContains: refusal.status === 400 && refusal.field === 'contains',
    },
  };
  say(`wrote ${writeResult('search', result)}`);
});
