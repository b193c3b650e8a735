// The lifecycle's pure rules for leaving the shelf: which states a release
// order may take, that nothing takes a RELEASING endpoint, and how it closes.
import assert from 'node:assert/strict';
import {
  canTransition,
  refuseAllocate,
  refuseLeaveShelf,
  refuseRelease,
  refuseReserve,
  refuseReturned,
  refuseRetire,
  refuseBackToShelf,
} from '../../workflows/endpoint.machine';
import { NO_CAPABILITIES, initialSnapshot } from '../../src/temporal/endpoints';
import type { EndpointSnapshot, EndpointStateName, LifecyclePolicy } from '../../workflows/shared';

const ORDER = '0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2f';
const OTHER = '7d444840-9dc0-41d1-b245-5ffdce74fad2';
const at = (state: EndpointStateName, extra: Partial<EndpointSnapshot> = {}) => initialSnapshot(state, 4, NO_CAPABILITIES, extra);
const policy = { maxReservationMs: 3_600_000 } as LifecyclePolicy;

describe('leaving the shelf (release orders)', () => {
  it('only an AVAILABLE or REJECTED endpoint leaves, never a held or moving one', () => {
    assert.equal(refuseLeaveShelf(at('AVAILABLE'), { orderId: ORDER }), null);
    assert.equal(refuseLeaveShelf(at('REJECTED'), { orderId: ORDER }), null);
    assert.equal(refuseLeaveShelf(at('ALLOCATED', { accountId: 'a' }), { orderId: ORDER }), 'endpoint is ALLOCATED, not AVAILABLE or REJECTED');
    assert.equal(refuseLeaveShelf(at('RESERVED', { accountId: 'a' }), { orderId: ORDER }), 'endpoint is RESERVED, not AVAILABLE or REJECTED');
    for (const s of ['QUARANTINE', 'TESTING', 'AGING', 'PORTING_OUT', 'RETIRED'] as const)
      assert.match(refuseLeaveShelf(at(s), { orderId: ORDER }) ?? '', /not AVAILABLE or REJECTED/);
    assert.equal(refuseLeaveShelf(at('AVAILABLE'), { orderId: '' }), 'orderId: required');
    assert.ok(canTransition('AVAILABLE', 'RELEASING') && canTransition('REJECTED', 'RELEASING'));
    assert.ok(!canTransition('ALLOCATED', 'RELEASING') && !canTransition('RESERVED', 'RELEASING'));
  });

  it('the same order asking again is answered as done; another order finds it taken', () => {
    const leaving = at('RELEASING', { releasing: { orderId: ORDER, from: 'AVAILABLE' } });
    assert.equal(refuseLeaveShelf(leaving, { orderId: ORDER }), null);
    assert.equal(refuseLeaveShelf(leaving, { orderId: OTHER }), 'endpoint is already leaving for another release order');
  });

  it('nothing allocates or reserves a RELEASING endpoint', () => {
    const leaving = at('RELEASING', { releasing: { orderId: ORDER, from: 'AVAILABLE' } });
    assert.equal(refuseAllocate(leaving, { accountId: 'acct-1' }), 'endpoint is RELEASING, not AVAILABLE');
    assert.equal(refuseReserve(leaving, { accountId: 'acct-1', until: Date.now() + 60_000 }, Date.now(), policy), 'endpoint is RELEASING, not AVAILABLE');
    assert.ok(!canTransition('RELEASING', 'ALLOCATED') && !canTransition('RELEASING', 'RESERVED'));
  });

  it('goes back to the shelf only when its carrier refused the release, and only for the order that took it', () => {
    const leaving = at('RELEASING', { releasing: { orderId: ORDER, from: 'AVAILABLE' } });
    assert.equal(refuseBackToShelf(leaving, { orderId: ORDER, reason: '422' }), null);
    assert.equal(refuseBackToShelf(leaving, { orderId: 'another-order', reason: '422' }), 'endpoint is leaving for another release order');
    assert.equal(refuseBackToShelf(at('AVAILABLE'), { orderId: ORDER, reason: '422' }), 'endpoint is AVAILABLE, not RELEASING');
    assert.ok(canTransition('RELEASING', 'AVAILABLE') && canTransition('RELEASING', 'REJECTED'));
  });

  it('closes as RETIRED (it was spare) or RETURNED (it was rejected)', () => {
    const spare = at('RELEASING', { releasing: { orderId: ORDER, from: 'AVAILABLE' } });
    const rejected = at('RELEASING', { releasing: { orderId: ORDER, from: 'REJECTED' } });
    assert.equal(refuseRetire(spare, 'released'), null);
    assert.equal(refuseReturned(rejected, 'released'), null);
    assert.equal(refuseReturned(spare, 'released'), 'endpoint is RELEASING, not REJECTED');
    assert.equal(refuseReturned(at('REJECTED'), 'back'), null);
    assert.equal(refuseReturned(at('AVAILABLE'), 'back'), 'endpoint is AVAILABLE, not REJECTED');
    assert.equal(refuseReturned(at('REJECTED'), ' '), 'reason: required');
  });
});

describe('extending a reservation, releasing for a reason', () => {
  const now = 1_000_000;
  it('only the holder extends its own reservation, to later than it ends now and within the longest reservation', () => {
    const held = at('RESERVED', { accountId: 'a', reservedUntil: now + 60_000 });
    assert.ok(canTransition('RESERVED', 'RESERVED'));
    assert.equal(refuseReserve(held, { accountId: 'a', until: now + 30 * 60_000, extend: true }, now, policy), null);
    assert.equal(refuseReserve(held, { accountId: 'b', until: now + 30 * 60_000, extend: true }, now, policy), 'endpoint is reserved for another account');
    assert.equal(refuseReserve(held, { accountId: 'a', until: now + 30_000, extend: true }, now, policy), 'until: must be later than the reservation ends now');
    assert.match(refuseReserve(held, { accountId: 'a', until: now + 2 * 3_600_000, extend: true }, now, policy) ?? '', /at most 60 minutes/);
    assert.equal(refuseReserve(at('AVAILABLE'), { accountId: 'a', until: now + 60_000, extend: true }, now, policy), 'endpoint is AVAILABLE, not RESERVED');
    // without `extend` a reserved endpoint is refused as before
    assert.equal(refuseReserve(held, { accountId: 'a', until: now + 30 * 60_000 }, now, policy), 'endpoint is RESERVED, not AVAILABLE');
  });

  it('a release may name its reason (1-200 characters)', () => {
    const allocated = at('ALLOCATED', { accountId: 'a' });
    assert.equal(refuseRelease(allocated, { accountId: 'a', reason: 'account deactivated' }), null);
    assert.equal(refuseRelease(allocated, { accountId: 'a', reason: ' ' }), 'reason: must be 1-200 characters');
    assert.equal(refuseRelease(allocated, { accountId: 'a', reason: 'x'.repeat(201) }), 'reason: must be 1-200 characters');
  });
});
