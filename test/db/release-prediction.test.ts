// Issue 18, "from usage to decisions": the monitor orders fewer numbers when
// the grouping's history predicts that numbers held now will be released
// within its window — the same grouping evaluated without and with held
// numbers, compared, with the arithmetic in the decision's reason.
import assert from 'node:assert/strict';
import { inventoryActivities } from '../../activities/inventory';
import { createGrouping } from '../../src/db/groupings';
import { groupingLifespans } from '../../src/db/lifespan';
import { decide } from '../../src/domain/inventory';
import { inventoryReport } from '../../src/usecases/inventory';
import { db } from '../support/stack';

const NPA = '577';
const DAY = 86_400_000;
const ACCOUNT = 'acct-prediction';
const TAGS = ['country:us', 'kind:mobile', `npa:${NPA}`];

describe('release prediction: the monitor orders fewer numbers when releases are expected', function () {
  this.timeout(60_000);
  let groupingId = '';
  let line = 1000;
  const now = Date.now();

  /** one endpoint in `state`, with history rows [fromState, toState, days ago] */
  async function endpoint(state: string, history: [string | null, string, number][], npa = NPA): Promise<void> {
    const address = `+1${npa}555${line++}`;
    const tags = npa === NPA ? TAGS : ['country:us', 'kind:mobile', `npa:${npa}`];
    const [row] = await db().$queryRaw<{ id: string }[]>`
      INSERT INTO endpoints (address, kind, state, version, account_id, classifier_tags)
      VALUES (${address}, 'MOBILE', ${state}::"EndpointState", ${history.length}, ${['ALLOCATED', 'PORTING_OUT'].includes(state) ? ACCOUNT : null}, ${tags}::text[])
      RETURNING id::text`;
    const id = row!.id;
    for (const [i, [from, to, daysAgo]] of history.entries()) {
      await db().$executeRaw`
        INSERT INTO endpoint_history (endpoint_id, version, from_state, to_state, cause, actor, at)
        VALUES (${id}::uuid, ${i + 1}, ${from}::"EndpointState", ${to}::"EndpointState", 'test', 'workflow', ${new Date(now - daysAgo * DAY)})`;
    }
  }

  const evaluate = async (prediction: { horizonMs: number; shelfDelayMs: number; lookbackMs: number; refreshMs?: number } | undefined) => {
    const { report, acquire } = await inventoryActivities({ db: db(), releasePrediction: prediction }).evaluateInventory({ windowMs: DAY });
    return { request: acquire.find((a) => a.groupingId === groupingId), summary: report.acquire.find((a) => a.groupingId === groupingId) };
  };
  const ON = { horizonMs: 7 * DAY, shelfDelayMs: 0, lookbackMs: 365 * DAY };

  before(async () => {
    await db().account.upsert({ where: { id: ACCOUNT }, create: { id: ACCOUNT, name: 'prediction' }, update: {} });
    // two on the shelf: below the minimum of 5, target 10
    for (let i = 0; i < 2; i++) await endpoint('AVAILABLE', [[null, 'AVAILABLE', 100]]);
    // the grouping's past: 10 holdings released after 10 days, 10 after 40 (the numbers since retired)
    for (const [held, n] of [
      [10, 10],
      [40, 10],
    ] as const) {
      for (let i = 0; i < n; i++) {
        await endpoint('RETIRED', [
          [null, 'ALLOCATED', 200],
          [`ALLOCATED`, 'AGING', 200 - held],
          ['AGING', 'RETIRED', 150 - held],
        ]);
      }
    }
    groupingId = (await createGrouping(db(), { name: 'prediction 577', tags: [`npa:${NPA}`], minAvailable: 5, targetAvailable: 10, maxAvailable: 40 })).id;
  });
  after(async () => {
    await db().classificationGrouping.deleteMany({ where: { id: groupingId } });
    await db().$executeRaw`DELETE FROM endpoints WHERE address LIKE ${`+1${NPA}%`} OR address LIKE '+1578%'`;
    await db().classificationGrouping.deleteMany({ where: { name: 'prediction 578' } });
  });

  it('orders 10 − 2 = 8 while no number is held, prediction on or off', async () => {
    for (const prediction of [ON, undefined]) {
      const { request, summary } = await evaluate(prediction);
      assert.equal(request?.quantity, 8, JSON.stringify(summary));
    }
  });

  it('with 5 numbers held 8 days, half of which history says go within the week, orders 10 − 2 − 2 = 6 and shows why', async () => {
    for (let i = 0; i < 5; i++) await endpoint('ALLOCATED', [[null, 'ALLOCATED', 8]]);
    const off = await evaluate(undefined);
    const before = off.request?.quantity;
    assert.equal(before, 8, 'without the prediction the held numbers change nothing');
    const on = await evaluate(ON);
    const fewer = on.request?.quantity ?? NaN;
    assert.ok(fewer < before, `fewer numbers ordered when releases are predicted (${fewer} < ${before})`);
    // S(8) = 1, S(15) = 0.5 (10 of 20 released at day 10): each held number goes with p = 0.5, 5 × 0.5 = 2.5, floor 2
    assert.equal(on.request?.quantity, 6, JSON.stringify(on.summary));
    assert.match(on.summary!.reason, /2 available < min 5/);
    assert.match(on.summary!.reason, /target 10 − pipeline 2 − predicted releases 2\.5 \(floor 2\) = 6/);
    assert.match(on.summary!.reason, /5 held, 7 days/);
  });

  it('a worker reuses the lifespans it read for LIFESPAN_REFRESH', async () => {
    const activities = inventoryActivities({ db: db(), releasePrediction: { ...ON, refreshMs: 3_600_000 } });
    const quantity = async () => (await activities.evaluateInventory({ windowMs: DAY })).acquire.find((a) => a.groupingId === groupingId)?.quantity;
    assert.equal(await quantity(), 6);
    // 5 more held 8 days: 10 × 0.5 = 5 expected — not seen until the refresh
    for (let i = 0; i < 5; i++) await endpoint('ALLOCATED', [[null, 'ALLOCATED', 8]]);
    assert.equal(await quantity(), 6, 'the lifespans read a moment ago');
    const fresh = (await evaluate({ ...ON, refreshMs: 0 })).request?.quantity;
    assert.equal(fresh, 3, '10 − 2 − 5');
    await db().$executeRaw`DELETE FROM endpoints WHERE address = ANY(${Array.from({ length: 5 }, (_, k) => `+1${NPA}555${line - 5 + k}`)}::text[])`;
  });

  it('ops report (inventoryReport with the prediction) wants what the monitor orders', async () => {
    const mine = (await inventoryReport({ db: db(), releasePrediction: ON }, '24h')).find((m) => m.groupingId === groupingId)!;
    assert.equal(mine.predictedReleases, 2.5);
    assert.deepEqual(mine.prediction, { held: 5, windowDays: 7 });
    assert.equal(decide(mine)?.quantity, 6);
    const plain = (await inventoryReport({ db: db() }, '24h')).find((m) => m.groupingId === groupingId)!;
    assert.equal(plain.predictedReleases, undefined, 'GET /v1/inventory passes no prediction: its view is unchanged');
  });

  it('a release comes back too late when the shelf delay eats the horizon: nothing predicted', async () => {
    const { request, summary } = await evaluate({ ...ON, shelfDelayMs: 7 * DAY });
    assert.equal(request?.quantity, 8, JSON.stringify(summary));
  });

  it('reads the lifespan distribution of the released holdings and the numbers held', async () => {
    const l = (await groupingLifespans(db(), { lookbackMs: 365 * DAY, now: new Date(now) })).get(groupingId)!;
    const released = l.filter((r) => r.released > 0).map((r) => [r.days, r.released]);
    assert.deepEqual(released, [
      [10, 10],
      [40, 10],
    ]);
    assert.deepEqual(
      l.filter((r) => r.held > 0).map((r) => [r.days, r.held]),
      [[8, 5]],
    );
  });

  it('a holding runs through port-out attempts; a port-out, a gap or a start past the lookback is no release', async () => {
    const id = (await createGrouping(db(), { name: 'prediction 578', tags: ['npa:578'], minAvailable: 0, targetAvailable: 0, maxAvailable: 10 })).id;
    // one holding of 20 days through a cancelled port-out, released
    await endpoint(
      'AGING',
      [
        [null, 'ALLOCATED', 30],
        ['ALLOCATED', 'PORTING_OUT', 25],
        ['PORTING_OUT', 'ALLOCATED', 24],
        ['ALLOCATED', 'AGING', 10],
      ],
      '578',
    );
    // ported out after 5 days: ended, not released
    await endpoint(
      'PORTED_OUT',
      [
        [null, 'ALLOCATED', 30],
        ['ALLOCATED', 'PORTING_OUT', 26],
        ['PORTING_OUT', 'PORTED_OUT', 25],
      ],
      '578',
    );
    // a gap (two starts, the first never ended) then held 3 days
    await endpoint(
      'ALLOCATED',
      [
        [null, 'ALLOCATED', 9],
        ['QUARANTINE', 'ALLOCATED', 3],
      ],
      '578',
    );
    // released 400 days ago after 2: past a 365-day lookback
    await endpoint(
      'AVAILABLE',
      [
        [null, 'ALLOCATED', 402],
        ['ALLOCATED', 'AGING', 400],
        ['AGING', 'AVAILABLE', 355],
      ],
      '578',
    );
    const l = (await groupingLifespans(db(), { lookbackMs: 365 * DAY, now: new Date(now) })).get(id)!;
    assert.deepEqual(
      l.map((r) => [r.days, r.released, r.ended, r.held]),
      [
        [3, 0, 0, 1],
        [5, 0, 1, 0],
        [20, 1, 0, 0],
      ],
    );
  });
});
