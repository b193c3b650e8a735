// What one account may learn of an endpoint another holds or held (issue 14,
// scenario 4): refusals as an account reads them, the part of a history it
// sees; and what one account adds to unmet demand (scenario 5).
import assert from 'node:assert/strict';
import { holdingHistory, notAvailable, refusalFor, type Caller } from '../../src/domain/access';
import { cappedUnmet, evaluateReference } from '../../src/domain/inventory';

const who: Caller = { keyId: 'k', name: 'shop', scope: 'PLATFORM', accountIds: ['acct-1', 'acct-2'], providerId: null, rateLimit: null };
const A = '+14155550100';

describe('refusals as an account reads them', () => {
  it('about another account’s holding, or a number on its way through quarantine or aging: only "not available"', () => {
    for (const reason of [
      'endpoint is ALLOCATED, not AVAILABLE',
      'endpoint is reserved for another account',
      'endpoint is AGING, not AVAILABLE',
      'endpoint is QUARANTINE, not AVAILABLE',
      'no transition AGING → ALLOCATED',
    ]) {
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
    for (const reason of [
      'until: a reservation lasts at most 60 minutes',
      'applicationUri: must be an http(s) or sip URI',
      'accountId: must be 1-64 letters',
    ]) {
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
      [
        ['RESERVED', 'acct-1'],
        ['ALLOCATED', 'acct-1'],
        ['TESTING', 'acct-1'],
        ['ALLOCATED', 'acct-1'],
        ['AGING', null],
        ['ALLOCATED', 'acct-2'],
        ['AGING', null],
      ],
    );
  });
  it('names its own key, its accounts and the service; any other actor is redacted', () => {
    assert.deepEqual(
      holdingHistory(history, who).map((h) => h.actor),
      ['key:shop', 'key:shop', 'workflow', 'workflow', 'key:shop (exchange undone)', 'account:acct-2', 'redacted'],
    );
  });
  it('an account that never held it sees nothing of it', () => {
    assert.deepEqual(holdingHistory(history, { ...who, accountIds: ['acct-9'] }), []);
  });
});

describe('unmet demand, capped per account', () => {
  it('each account adds at most the cap; keys without an account count as one', () => {
    const unmet = [
      ...Array.from({ length: 1000 }, () => ({ accountId: 'acct-loop' })),
      { accountId: 'acct-b' },
      { accountId: 'acct-c' },
      { accountId: null },
      {},
      {},
    ];
    assert.equal(cappedUnmet(unmet, 5), 5 + 1 + 1 + 3);
    assert.equal(cappedUnmet(unmet, 1), 4);
  });
  it('the reference evaluation applies it per grouping', () => {
    const [m] = evaluateReference({
      groupings: [{ id: 'g', name: 'g', tags: ['npa:415'], autoAdjust: true, preferredProviderIds: [], minAvailable: 0, targetAvailable: 0, maxAvailable: 10 }],
      endpoints: [],
      openLines: [],
      openReleases: [],
      allocations: [],
      unmet: [
        ...Array.from({ length: 50 }, (_, i) => ({ tags: ['npa:415', `nxx:415${100 + i}`], accountId: 'acct-loop' })),
        { tags: ['npa:415'], accountId: 'acct-b' },
        { tags: ['npa:212'], accountId: 'acct-c' },
      ],
      unmetPerAccount: 3,
      windowHours: 24,
    });
    assert.equal(m!.unmetSearches, 3 + 1);
  });
});
