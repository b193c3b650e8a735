import assert from 'node:assert/strict';
import { decide, effectiveThresholds, ADJUST_LEAD_TIME_HOURS, type GroupingMetrics } from '../../src/domain/inventory';

const base: GroupingMetrics = {
  groupingId: 'g',
  name: 'g',
  tags: ['npa:415'],
  autoAdjust: false,
  preferredProviderIds: ['p1'],
  minAvailable: 10,
  targetAvailable: 20,
  maxAvailable: 50,
  available: 15,
  allocated: 0,
  reserved: 0,
  inQuarantine: 0,
  onOrder: 0,
  onRelease: 0,
  allocationRate: 0,
  unmetSearches: 0,
  trend: 0,
  depletionSeconds: null,
};

describe('inventory decisions', () => {
  const cases: [
    string,
    Partial<GroupingMetrics>,
    ReturnType<typeof decide> extends infer D ? (D extends null ? null : Partial<NonNullable<D>>) | null : never,
  ][] = [
    ['within thresholds: nothing', {}, null],
    ['below min: acquire up to target', { available: 4 }, { kind: 'acquire', quantity: 16 }],
    ['below min, some in quarantine: only the rest', { available: 4, inQuarantine: 6 }, { kind: 'acquire', quantity: 10 }],
    ['below min, enough on order: nothing', { available: 4, onOrder: 16 }, null],
    ['below min, quarantine + order cover it: nothing', { available: 0, inQuarantine: 12, onOrder: 8 }, null],
    ['above max: release down to target', { available: 60 }, { kind: 'release', quantity: 40 }],
    ['above max, part already being released: the rest', { available: 60, onRelease: 30 }, null],
    ['above max, some being released: only the rest', { available: 80, onRelease: 20 }, { kind: 'release', quantity: 40 }],
    ['at min exactly: nothing', { available: 10 }, null],
    ['at max exactly: nothing', { available: 50 }, null],
  ];
  for (const [why, m, expected] of cases) {
    it(why, () => {
      const d = decide({ ...base, ...m });
      if (expected === null) assert.equal(d, null);
      else assert.deepEqual({ kind: d?.kind, quantity: d?.quantity }, expected);
    });
  }

  it('an acquire carries the tags, preferred providers and a reason', () => {
    const d = decide({ ...base, available: 1 });
    assert.equal(d?.kind, 'acquire');
    assert.deepEqual(d.tags, ['npa:415']);
    assert.deepEqual(d.preferredProviderIds, ['p1']);
    assert.match(d.reason, /1 available < min 10/);
  });

  it('auto-adjusts thresholds to the allocation rate over the lead time, never below the configured ones', () => {
    assert.deepEqual(effectiveThresholds({ ...base, autoAdjust: true }), { minAvailable: 10, targetAvailable: 20, maxAvailable: 50 });
    const t = effectiveThresholds({ ...base, autoAdjust: true, allocationRate: 1, unmetSearches: 12 });
    assert.equal(t.minAvailable, ADJUST_LEAD_TIME_HOURS + 12);
    assert.equal(t.targetAvailable, 2 * t.minAvailable);
    assert.equal(t.maxAvailable, 2 * t.targetAvailable);
    assert.equal(decide({ ...base, autoAdjust: true, allocationRate: 1, available: 100 })?.kind, 'acquire');
    assert.deepEqual(effectiveThresholds({ ...base, allocationRate: 1 }), { minAvailable: 10, targetAvailable: 20, maxAvailable: 50 }, 'off unless asked');
  });
});
