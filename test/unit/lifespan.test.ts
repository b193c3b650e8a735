import assert from 'node:assert/strict';
import { decide, type GroupingMetrics } from '../../src/domain/inventory';
import {
  DAY_MS,
  MIN_RELEASED_HOLDINGS,
  lifespanDistribution,
  predictReleases,
  releaseProbability,
  survivalCurve,
  type HoldingCount,
} from '../../src/domain/lifespan';

const row = (days: number, r: Partial<HoldingCount>): HoldingCount => ({ days, released: 0, ended: 0, held: 0, ...r });

describe('lifespan and stickiness (pure)', () => {
  it('lifespan distribution: nearest-rank percentiles and buckets of the released holdings only', () => {
    const d = lifespanDistribution([row(0, { released: 1 }), row(3, { released: 2, held: 50 }), row(10, { released: 3 }), row(400, { released: 4, ended: 9 })]);
    assert.equal(d.count, 10);
    assert.deepEqual([d.p25, d.p50, d.p75, d.p90], [3, 10, 400, 400]);
    assert.deepEqual(
      d.buckets.map((b) => [b.from, b.to, b.n]),
      [
        [0, 1, 1],
        [1, 7, 2],
        [7, 30, 3],
        [30, 90, 0],
        [90, 180, 0],
        [180, 365, 0],
        [365, null, 4],
      ],
    );
    const none = lifespanDistribution([row(5, { held: 3 })]);
    assert.equal(none.count, 0);
    assert.equal(none.p50, null);
  });

  it('survival is Kaplan–Meier: censored holdings leave the risk set without a step', () => {
    // 4 at risk at day 2: 1 released → 3/4; 1 censored at 3; 2 at risk at day 5: 1 released → 3/4 · 1/2
    const s = survivalCurve([row(2, { released: 1 }), row(3, { held: 1 }), row(5, { released: 1, ended: 1 })]);
    assert.equal(s(0), 1);
    assert.equal(s(2), 1, 'P(held at least 2 days) counts the day-2 releases as having lasted 2');
    assert.equal(s(3), 0.75);
    assert.equal(s(5), 0.75);
    assert.equal(s(6), 0.375);
  });

  it('stickiness: P(release within window | held so far) = (S(age) − S(age + window)) / S(age)', () => {
    const s = survivalCurve([row(10, { released: 10 }), row(40, { released: 10 })]);
    assert.equal(releaseProbability(s, 8, 7), 0.5); // (1 − 0.5) / 1
    assert.equal(releaseProbability(s, 20, 7), 0); // nothing ends between 20 and 27
    assert.equal(releaseProbability(s, 35, 7), 1); // (0.5 − 0) / 0.5
    assert.equal(releaseProbability(s, 50, 7), 0, 'held longer than any holding seen: nothing says it goes');
    assert.equal(releaseProbability(s, 8, 0), 0);
  });

  it('predicted releases: the sum of the held numbers’ probabilities, within the horizon less the shelf delay', () => {
    const rows = [row(10, { released: 10 }), row(40, { released: 10 }), row(8, { held: 5 }), row(36, { held: 2 })];
    const p = predictReleases(rows, { horizonMs: 7 * DAY_MS, shelfDelayMs: 0 });
    // day 8: 5 × 0.5; day 36: 2 × 1 (risk set at 10 is 22: the 2 held at 36 count)
    const s = survivalCurve(rows);
    assert.equal(p.predictedReleases, 5 * releaseProbability(s, 8, 7) + 2 * releaseProbability(s, 36, 7));
    assert.equal(p.held, 7);
    assert.equal(p.windowDays, 7);
    assert.ok(p.predictedReleases > 4 && p.predictedReleases < 5, String(p.predictedReleases));
    const late = predictReleases(rows, { horizonMs: 7 * DAY_MS, shelfDelayMs: 45 * DAY_MS });
    assert.equal(late.predictedReleases, 0, 'released numbers that age 45 days are not back within 7');
    assert.equal(late.windowDays, 0);
  });

  it(`predicts nothing from fewer than ${MIN_RELEASED_HOLDINGS} releases`, () => {
    const p = predictReleases([row(0, { released: MIN_RELEASED_HOLDINGS - 1 }), row(0, { held: 5 })], { horizonMs: 7 * DAY_MS, shelfDelayMs: 0 });
    assert.equal(p.predictedReleases, 0);
    assert.equal(p.held, 5);
  });

  describe('decide with predicted releases', () => {
    const base: GroupingMetrics = {
      groupingId: 'g',
      name: 'g',
      tags: ['npa:415'],
      autoAdjust: false,
      preferredProviderIds: [],
      minAvailable: 5,
      targetAvailable: 10,
      maxAvailable: 40,
      available: 2,
      allocated: 5,
      reserved: 0,
      inQuarantine: 1,
      onOrder: 0,
      onRelease: 0,
      allocationRate: 0,
      unmetSearches: 0,
      trend: 0,
      depletionSeconds: null,
    };
    it('subtracts the floor of the predicted releases and shows the arithmetic', () => {
      const d = decide({ ...base, predictedReleases: 4.2, prediction: { held: 5, windowDays: 7 } });
      assert.equal(d?.kind, 'acquire');
      assert.equal(d.quantity, 3);
      assert.match(d.reason, /^2 available < min 5; target 10 − pipeline 3 − predicted releases 4\.2 \(floor 4\) = 3; /);
      assert.match(d.reason, /predicted from 5 held, 7 days/);
      const without = decide(base);
      assert.equal(without?.quantity, 7);
      assert.match(without.reason, /target 10 − pipeline 3 = 7/);
    });
    it('orders nothing when the predicted releases fill the target', () => {
      assert.equal(decide({ ...base, predictedReleases: 7.9 }), null);
      assert.equal(decide({ ...base, predictedReleases: 0.9 })?.quantity, 7, 'under one expected number changes nothing');
    });
    it('releases above the maximum are unaffected', () => {
      assert.equal(decide({ ...base, available: 50, predictedReleases: 10 })?.kind, 'release');
    });
  });
});
