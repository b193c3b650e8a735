import assert from 'node:assert/strict';
import { reliability } from '../../src/domain/reliability';

describe('reliability: a provider measured by its finished orders', () => {
  const none = { orders: 0, requested: 0, accepted: 0, rejected: 0, failed: 0, lead: null };

  it('no finished order: nothing measured (the score stays)', () => {
    assert.equal(reliability(none), null);
  });

  it('everything asked for, delivered right, on time: 1', () => {
    assert.deepEqual(reliability({ orders: 2, requested: 10, accepted: 10, rejected: 0, failed: 0, lead: 60 }), {
      fillRate: 1,
      mismatchRate: 0,
      failureRate: 0,
      meanLeadTimeSeconds: 60,
      reliabilityScore: 1,
    });
  });

  it('weighs fill 0.5, right numbers 0.3, orders not failed 0.2', () => {
    const r = reliability({ orders: 4, requested: 10, accepted: 5, rejected: 5, failed: 1, lead: null })!;
    assert.equal(r.fillRate, 0.5);
    assert.equal(r.mismatchRate, 0.5);
    assert.equal(r.failureRate, 0.25);
    assert.ok(Math.abs(r.reliabilityScore - (0.25 + 0.15 + 0.15)) < 1e-12);
  });

  it('nothing requested counts as filled; nothing delivered as no mismatch', () => {
    const r = reliability({ orders: 1, requested: 0, accepted: 0, rejected: 0, failed: 1, lead: null })!;
    assert.deepEqual([r.fillRate, r.mismatchRate, r.failureRate, r.reliabilityScore], [1, 0, 1, 0.8]);
  });

  it('stays within 0..1', () => {
    const r = reliability({ orders: 1, requested: 1, accepted: 0, rejected: 9, failed: 1, lead: null })!;
    assert.ok(r.reliabilityScore >= 0 && r.reliabilityScore <= 1);
  });
});
