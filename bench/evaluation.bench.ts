// Benchmark (issue 4): the monitor's set-based evaluation pass over 10,000
// groupings and 1,000,000 endpoints, against one COUNT query per grouping,
// in the same run; the process's memory across passes; and what keeping the
// counts costs each endpoint write (single-row transitions with the triggers
// on, against the same with them off).
//
//   npm run bench:evaluation          (BENCH_ENDPOINTS to scale)
import { createDb } from '../src/db/client';
import { evaluateGroupings, rebuildGroupingCounts } from '../src/db/groupings';
import { say } from '../scripts/lib/stack';
import { BENCH_FSYNC, Teardown, benchDatabase, benchSettings, writeResult } from './lib';

const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 1_000_000);
const NPAS = 300;
const WRITES = 2000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().rss / 2 ** 20);
};

async function main(): Promise<void> {
  // the benchmarks' own cluster (fsync on unless BENCH_FSYNC=off), no longer the tests'
  const teardown = new Teardown();
  const { url } = await benchDatabase('endpoint_inventory_evalbench', teardown);
  const db = createDb(url, 4);
  try {
    say(`generating ${ENDPOINTS} endpoints over ${NPAS} area codes`);
    let t = performance.now();
    await db.account.create({ data: { id: 'acct-bench', name: 'bench' } });
    await db.$executeRawUnsafe(`
      INSERT INTO endpoints (address, kind, npa, nxx, state, account_id, classifier_tags)
      SELECT '+1' || npa || nxx || lpad((i / (${NPAS} * 30))::text, 4, '0'), 'FIXED_LINE_OR_MOBILE', npa, nxx, st::"EndpointState",
             CASE WHEN st IN ('ALLOCATED', 'RESERVED') THEN 'acct-bench' END,
             ARRAY(SELECT unnest(ARRAY['country:us', 'npa:' || npa, 'nxx:' || npa || nxx,
                  CASE WHEN r2 < 0.5 THEN 'kind:mobile' ELSE 'kind:fixed_line_or_mobile' END,
                  'quality:' || (ARRAY['high','medium','low'])[1 + (i % 3)], 'clean:' || (ARRAY['clean','fair'])[1 + (i % 2)]]
                  || CASE WHEN r3 < 0.9 THEN ARRAY['cap:voice'] ELSE ARRAY[]::text[] END
                  || CASE WHEN r3 < 0.8 THEN ARRAY['cap:sms'] ELSE ARRAY[]::text[] END
                  || CASE WHEN r2 < 0.3 THEN ARRAY['cap:mms'] ELSE ARRAY[]::text[] END
                  || CASE WHEN i % 50 = 0 THEN ARRAY['vanity:repeated'] ELSE ARRAY[]::text[] END) ORDER BY 1)
        FROM (SELECT i, random() AS r2, random() AS r3,
                     CASE WHEN random() < 0.6 THEN 'AVAILABLE' WHEN random() < 0.75 THEN 'ALLOCATED' WHEN random() < 0.5 THEN 'QUARANTINE' ELSE 'RESERVED' END AS st,
                     (200 + (i % ${NPAS}))::text AS npa, (200 + ((i / ${NPAS}) % 30))::text AS nxx
                FROM generate_series(1, ${ENDPOINTS}) i) s`);
    say(`  done in ${Math.round(performance.now() - t)} ms`);

    // 10,000 overlapping groupings: area codes, exchanges, capabilities, kinds, bands
    await db.$executeRawUnsafe(`
      INSERT INTO classification_groupings (name, tags, key, min_available, target_available, max_available)
      SELECT 'g' || row_number() OVER (), tags, array_to_string(tags, ' + '), 5, 20, 100000 FROM (
        SELECT ARRAY['npa:' || (200 + n)] AS tags FROM generate_series(0, ${NPAS - 1}) n
        UNION ALL SELECT ARRAY['cap:sms', 'npa:' || (200 + n)] FROM generate_series(0, ${NPAS - 1}) n
        UNION ALL SELECT ARRAY['kind:mobile', 'npa:' || (200 + n)] FROM generate_series(0, ${NPAS - 1}) n
        UNION ALL SELECT ARRAY['nxx:' || (200 + n) || (200 + m)] FROM generate_series(0, ${NPAS - 1}) n, generate_series(0, 19) m
        UNION ALL SELECT ARRAY['cap:voice', 'nxx:' || (200 + n) || (200 + m)] FROM generate_series(0, ${NPAS - 1}) n, generate_series(0, 9) m
        UNION ALL SELECT ARRAY['cap:mms', 'npa:' || (200 + n), 'quality:high'] FROM generate_series(0, 76) n
        UNION ALL SELECT ARRAY[t] FROM unnest(ARRAY['country:us','cap:sms','cap:voice','cap:mms','kind:mobile','quality:high','clean:clean','vanity:repeated']) t
        UNION ALL SELECT ARRAY[c, 'country:us', q] FROM unnest(ARRAY['cap:sms','cap:voice','cap:mms']) c, unnest(ARRAY['quality:high','quality:medium','quality:low','clean:clean','clean:fair']) q
      ) x`);
    const groupings = await db.classificationGrouping.findMany({ select: { id: true, tags: true } });
    await db.$executeRawUnsafe('ANALYZE');
    t = performance.now();
    await rebuildGroupingCounts(db);
    const rebuildMs = performance.now() - t;
    say(`${groupings.length} groupings; counts rebuilt in ${Math.round(rebuildMs)} ms`);

    // the pass, ten times (snapshots written each time), memory read after each
    const rss: number[] = [mib()];
    const passes: number[] = [];
    for (let i = 0; i < 10; i++) {
      t = performance.now();
      const m = await evaluateGroupings(db, { windowMs: 86_400_000, snapshot: true });
      passes.push(performance.now() - t);
      if (m.length !== groupings.length) throw new Error(`pass returned ${m.length} groupings`);
      rss.push(mib());
    }
    say(`set-based pass: median ${Math.round(median(passes))} ms (${passes.map(Math.round).join(', ')})`);

    // the baseline: one COUNT per grouping, every grouping
    say(`baseline: ${groupings.length} COUNT queries, one per grouping`);
    t = performance.now();
    for (const g of groupings) {
      await db.$queryRaw`SELECT state, count(*)::int AS n FROM endpoints WHERE classifier_tags @> ${g.tags}::text[] GROUP BY state`;
    }
    const perGroupingMs = performance.now() - t;
    say(`  ${Math.round(perGroupingMs)} ms`);

    // write cost of the triggers: single-row transitions, triggers on vs off
    const ids = (await db.$queryRaw<{ id: string }[]>`SELECT id::text FROM endpoints WHERE state = 'AVAILABLE' LIMIT ${2 * WRITES}`).map((r) => r.id);
    const flip = async (slice: string[]) => {
      const start = performance.now();
      for (const id of slice) await db.$executeRaw`UPDATE endpoints SET state = 'QUARANTINE', version = version + 1 WHERE id = ${id}::uuid`;
      return performance.now() - start;
    };
    const withTriggers = await flip(ids.slice(0, WRITES));
    await db.$executeRawUnsafe('ALTER TABLE endpoints DISABLE TRIGGER USER');
    const withoutTriggers = await flip(ids.slice(WRITES));
    await db.$executeRawUnsafe('ALTER TABLE endpoints ENABLE TRIGGER USER');

    const result = {
      date: new Date().toISOString(),
      command: `${BENCH_FSYNC ? '' : 'BENCH_FSYNC=off '}npm run bench:evaluation`,
      machine: '2 cores',
      settings: benchSettings(),
      endpoints: ENDPOINTS,
      groupings: groupings.length,
      setBasedPassMs: { median: Math.round(median(passes)), runs: passes.map(Math.round) },
      perGroupingCountsMs: Math.round(perGroupingMs),
      speedup: Math.round(perGroupingMs / median(passes)),
      processRssMiBAfterEachPass: rss,
      countsRebuildMs: Math.round(rebuildMs),
      writeCost: {
        singleRowTransitions: WRITES,
        withTriggersMsPerWrite: +(withTriggers / WRITES).toFixed(3),
        withoutTriggersMsPerWrite: +(withoutTriggers / WRITES).toFixed(3),
      },
      goal: 'pass <= 500 ms, >= 20x the per-grouping queries, memory flat',
    };
    console.log(JSON.stringify(result, null, 2));
    say(`wrote ${writeResult('evaluation', result)}`);
  } finally {
    await db.$disconnect();
    await teardown.run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
