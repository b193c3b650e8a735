// What one account may learn of an endpoint another holds or held (issue 14,
// scenario 4): refusals as an account reads them, the part of a history it
// sees.
import assert from 'node:assert/strict';
import { holdingHistory, notAvailable, refusalFor, type Caller } from '../../src/domain/access';

const who: Caller = { keyId: 'k', name: 'shop', scope: 'PLATFORM', accountIds: ['acct-1', 'acct-2'], providerId: null, rateLimit: null };
const A = '+14155550100';

describe('refusals as an account reads them', () => {
  it('about another account’s holding, or a number on its way through quarantine or aging: only "not available"', () => {
    for (const reason of ['endpoint is ALLOCATED, not AVAILABLE', 'endpoint is reserved for another account', 'endpoint is AGING, not AVAILABLE', 'endpoint is QUARANTINE, not AVAILABLE', 'no transition AGING → ALLOCATED']) {
      assert.equal(refusalFor(A, reason, false), `address: ${A} is not available`, reason);
    }
    assert.equal(notAvailable(A), `address: ${A} is not available`);
  });
  it('about its own holding: why', () => {
    for (const reason of ['endpoint is RESERVED, not AVAILABLE', 'endpoint is already allocated to this account', 'endpoint is ALLOCATED, not AVAILABLE']) {
      assert.equal(refusalFor(A, reason, true), reason);
    }
  });
  it('a reason naming another account is never passed on, even when the row says the number is now its own', () => {
    assert.equal(refusalFor(A, 'endpoint is reserved for another account', true), notAvailable(A));
    assert.equal(refusalFor(A, 'endpoint is held by another account', true), notAvailable(A));
  });
  it('about the request itself (a field): as it is', () => {
    for (const reason of ['until: a reservation lasts at most 60 minutes', 'applicationUri: must be an http(s) or sip URI', 'accountId: must be 1-64 letters']) {
      assert.equal(refusalFor(A, reason, false), reason);
    }
  });
});

describe('the history an account sees: its own holding periods', () => {
  const row = (toState: string, accountId: string | null, actor = 'workflow') => ({ toState, accountId, actor });
  const history = [
    row('QUARANTINE', null, 'carrier:west'),
    row('TESTING', null),
    row('AVAILABLE', null),
    row('ALLOCATED', 'acct-other', 'key:other shop'),
    row('AGING', null, 'key:other shop'),
    row('TESTING', null),
    row('AVAILABLE', null),
    row('RESERVED', 'acct-1', 'key:shop'),
    row('ALLOCATED', 'acct-1', 'key:shop'),
    row('TESTING', 'acct-1'),
    row('ALLOCATED', 'acct-1'),
    row('AGING', null, 'key:shop (exchange undone)'),
    row('TESTING', null),
    row('AVAILABLE', null),
    row('ALLOCATED', 'acct-2', 'account:acct-2'),
    row('AGING', null, 'key:support desk'),
    row('AVAILABLE', null),
    row('ALLOCATED', 'acct-3', 'key:someone else'),
  ];

  it('keeps what left it with one of its accounts and what ended each holding; nothing before, between or after', () => {
    assert.deepEqual(
      holdingHistory(history, who).map((h) => [h.toState, h.accountId]),
      [['RESERVED', 'acct-1'], ['ALLOCATED', 'acct-1'], ['TESTING', 'acct-1'], ['ALLOCATED', 'acct-1'], ['AGING', null], ['ALLOCATED', 'acct-2'], ['AGING', null]],
    );
  });
  it('names its own key, its accounts and the service; any other actor is redacted', () => {
    assert.deepEqual(holdingHistory(history, who).map((h) => h.actor), ['key:shop', 'key:shop', 'workflow', 'workflow', 'key:shop (exchange undone)', 'account:acct-2', 'redacted']);
  });
  it('an account that never held it sees nothing of it', () => {
    assert.deepEqual(holdingHistory(history, { ...who, accountIds: ['acct-9'] }), []);
  });
});
