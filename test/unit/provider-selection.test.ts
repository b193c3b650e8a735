import assert from 'node:assert/strict';
import {
  assignRequests,
  covers,
  DEFAULT_WEIGHTS,
  requirementsOf,
  scoreProvider,
  type AcquireRequest,
  type Assignment,
  type OrderLinePlan,
  type ProviderInfo,
  type Requirements,
} from '../../src/domain/provider-selection';

// A covers-everything, unlimited, active provider unless overridden.
function provider(id: string, over: Partial<ProviderInfo> = {}): ProviderInfo {
  return {
    id,
    active: true,
    countries: [],
    npas: [],
    kinds: [],
    costPerNumberCents: 100,
    reliabilityScore: 0.9,
    quotaNumbers: null,
    orderedInPeriod: 0,
    ...over,
  };
}

function request(groupingId: string, tags: string[], quantity: number, preferredProviderIds?: string[]): AcquireRequest {
  return preferredProviderIds ? { groupingId, tags, quantity, preferredProviderIds } : { groupingId, tags, quantity };
}

// requirementsOf has its own table below, so expected lines may reuse it.
function line(groupingId: string, tags: string[], quantity: number): OrderLinePlan {
  return { groupingId, tags, quantity, ...requirementsOf(tags) };
}

function order(providerId: string, ...lines: OrderLinePlan[]): Assignment['orders'][number] {
  return { providerId, lines, total: lines.reduce((s, l) => s + l.quantity, 0) };
}

const NO_REQ: Requirements = { country: null, npa: null, kind: null, capabilities: [] };

describe('provider selection', () => {
  describe('requirementsOf', () => {
    const cases: { name: string; tags: string[]; want: Requirements }[] = [
      { name: 'no tags', tags: [], want: NO_REQ },
      {
        name: 'country, npa, kind and capability',
        tags: ['country:us', 'npa:415', 'kind:mobile', 'cap:sms'],
        want: { country: 'US', npa: '415', kind: 'MOBILE', capabilities: ['sms'] },
      },
      { name: 'nxx implies npa', tags: ['nxx:415555'], want: { ...NO_REQ, npa: '415' } },
      { name: 'explicit npa wins over nxx', tags: ['nxx:212555', 'npa:415'], want: { ...NO_REQ, npa: '415' } },
      {
        name: 'multi-word kind as produced by inherentTags',
        tags: ['kind:fixed_line_or_mobile'],
        want: { ...NO_REQ, kind: 'FIXED_LINE_OR_MOBILE' },
      },
      {
        name: 'capabilities deduplicated and sorted',
        tags: ['cap:voice', 'cap:sms', 'cap:sms'],
        want: { ...NO_REQ, capabilities: ['sms', 'voice'] },
      },
      {
        name: 'a NANP locality or region orders by its area code (an explicit npa wins)',
        tags: ['locality:us-ca-san-francisco', 'region:us-ca'],
        want: { ...NO_REQ, npa: '415' },
      },
      {
        name: 'an explicit npa wins over a place',
        tags: ['locality:us-ca-san-francisco', 'npa:628'],
        want: { ...NO_REQ, npa: '628' },
      },
      {
        name: 'a place the data has no area code for orders by nothing more',
        tags: ['region:gb-lnd', 'locality:gb-london'],
        want: NO_REQ,
      },
      {
        name: 'non-orderable dimensions ignored',
        tags: ['vanity:true', 'word:pizza', 'quality:gold', 'clean:true', 'region:west', 'bogus'],
        want: NO_REQ,
      },
    ];
    for (const c of cases) {
      it(c.name, () => assert.deepEqual(requirementsOf(c.tags), c.want));
    }
  });

  describe('covers', () => {
    const restricted = provider('r', { countries: ['US'], npas: ['415'], kinds: ['MOBILE'] });
    const cases: { name: string; p: ProviderInfo; tags: string[]; want: boolean }[] = [
      { name: 'empty coverage lists cover anything', p: provider('any'), tags: ['country:gb', 'kind:toll_free'], want: true },
      { name: 'null requirements covered by a restricted provider', p: restricted, tags: [], want: true },
      { name: 'country match', p: restricted, tags: ['country:us'], want: true },
      { name: 'country mismatch', p: restricted, tags: ['country:ca'], want: false },
      { name: 'npa match', p: restricted, tags: ['npa:415'], want: true },
      { name: 'npa mismatch (via nxx)', p: restricted, tags: ['nxx:212555'], want: false },
      { name: 'kind match', p: restricted, tags: ['kind:mobile'], want: true },
      { name: 'kind mismatch', p: restricted, tags: ['kind:toll_free'], want: false },
      {
        name: 'kind is exact: FIXED_LINE_OR_MOBILE does not cover MOBILE',
        p: provider('f', { kinds: ['FIXED_LINE_OR_MOBILE'] }),
        tags: ['kind:mobile'],
        want: false,
      },
      { name: 'capability-agnostic', p: restricted, tags: ['country:us', 'cap:sms', 'cap:mms'], want: true },
      { name: 'inactive never covers', p: provider('off', { active: false }), tags: [], want: false },
    ];
    for (const c of cases) {
      it(c.name, () => assert.equal(covers(c.p, requirementsOf(c.tags)), c.want));
    }
  });

  describe('scoreProvider', () => {
    const req = request('g', [], 1, ['pref']);
    it('cheaper scores higher at equal reliability', () => {
      assert.ok(
        scoreProvider(provider('a', { costPerNumberCents: 50 }), req, DEFAULT_WEIGHTS, 100) >
          scoreProvider(provider('b', { costPerNumberCents: 100 }), req, DEFAULT_WEIGHTS, 100),
      );
    });
    it('preference adds exactly the preferred weight', () => {
      const diff = scoreProvider(provider('pref'), req, DEFAULT_WEIGHTS, 100) - scoreProvider(provider('other'), req, DEFAULT_WEIGHTS, 100);
      assert.ok(Math.abs(diff - DEFAULT_WEIGHTS.preferred) < 1e-12);
    });
    it('all-free candidates do not produce NaN', () => {
      assert.equal(scoreProvider(provider('a', { costPerNumberCents: 0, reliabilityScore: 0.5 }), req, DEFAULT_WEIGHTS, 0), 1.5);
    });
  });

  describe('assignRequests', () => {
    const cases: { name: string; providers: ProviderInfo[]; requests: AcquireRequest[]; want: Assignment }[] = [
      {
        name: 'coverage by country',
        providers: [provider('gb', { countries: ['GB'], costPerNumberCents: 1 }), provider('us', { countries: ['US'] })],
        requests: [request('g1', ['country:us'], 5)],
        want: {
          orders: [
            {
              providerId: 'us',
              total: 5,
              lines: [{ groupingId: 'g1', tags: ['country:us'], quantity: 5, country: 'US', npa: null, kind: null, capabilities: [] }],
            },
          ],
          unfilled: [],
        },
      },
      {
        name: 'coverage by npa (implied by nxx)',
        providers: [provider('p212', { npas: ['212'], costPerNumberCents: 1 }), provider('p415', { npas: ['415'] })],
        requests: [request('g1', ['nxx:415555'], 3)],
        want: { orders: [order('p415', line('g1', ['nxx:415555'], 3))], unfilled: [] },
      },
      {
        name: 'coverage by kind',
        providers: [provider('mob', { kinds: ['MOBILE'], costPerNumberCents: 1 }), provider('tf', { kinds: ['TOLL_FREE'] })],
        requests: [request('g1', ['kind:toll_free'], 2)],
        want: { orders: [order('tf', line('g1', ['kind:toll_free'], 2))], unfilled: [] },
      },
      {
        name: 'capabilities do not restrict coverage and are carried on the line',
        providers: [provider('cheap', { countries: ['US'], costPerNumberCents: 10 }), provider('dear', { costPerNumberCents: 100 })],
        requests: [request('g1', ['country:us', 'cap:sms', 'cap:mms'], 4)],
        want: {
          orders: [
            {
              providerId: 'cheap',
              total: 4,
              lines: [
                {
                  groupingId: 'g1',
                  tags: ['country:us', 'cap:sms', 'cap:mms'],
                  quantity: 4,
                  country: 'US',
                  npa: null,
                  kind: null,
                  capabilities: ['mms', 'sms'],
                },
              ],
            },
          ],
          unfilled: [],
        },
      },
      {
        name: 'cheaper wins at equal reliability',
        providers: [provider('a', { costPerNumberCents: 120 }), provider('b', { costPerNumberCents: 80 })],
        requests: [request('g1', [], 10)],
        want: { orders: [order('b', line('g1', [], 10))], unfilled: [] },
      },
      {
        name: 'more reliable wins at equal cost',
        providers: [provider('a', { reliabilityScore: 0.8 }), provider('b', { reliabilityScore: 0.99 })],
        requests: [request('g1', [], 10)],
        want: { orders: [order('b', line('g1', [], 10))], unfilled: [] },
      },
      {
        name: 'preferred provider wins when otherwise close',
        providers: [provider('a', { costPerNumberCents: 95 }), provider('b', { costPerNumberCents: 100 })],
        requests: [request('g1', [], 10, ['b'])],
        want: { orders: [order('b', line('g1', [], 10))], unfilled: [] },
      },
      {
        name: 'preference does not beat a much cheaper provider',
        providers: [provider('a', { costPerNumberCents: 40 }), provider('b', { costPerNumberCents: 100 })],
        requests: [request('g1', [], 10, ['b'])],
        want: { orders: [order('a', line('g1', [], 10))], unfilled: [] },
      },
      {
        name: 'equal scores broken by provider id',
        providers: [provider('b'), provider('a')],
        requests: [request('g1', [], 1)],
        want: { orders: [order('a', line('g1', [], 1))], unfilled: [] },
      },
      {
        name: 'quota caps a provider and the remainder goes to the next',
        providers: [provider('cheap', { costPerNumberCents: 10, quotaNumbers: 100, orderedInPeriod: 94 }), provider('dear', { costPerNumberCents: 100 })],
        requests: [request('g1', [], 10)],
        want: { orders: [order('cheap', line('g1', [], 6)), order('dear', line('g1', [], 4))], unfilled: [] },
      },
      {
        name: 'quotas run out part way: the rest is unfilled',
        providers: [provider('a', { quotaNumbers: 5, orderedInPeriod: 5 }), provider('b', { quotaNumbers: 10, orderedInPeriod: 8 })],
        requests: [request('g1', [], 10)],
        want: {
          orders: [order('b', line('g1', [], 2))],
          unfilled: [{ groupingId: 'g1', quantity: 8, reason: 'quota exhausted at every covering provider' }],
        },
      },
      {
        name: 'all quotas exhausted (including over-ordered) → unfilled, no zero lines',
        providers: [provider('a', { quotaNumbers: 5, orderedInPeriod: 5 }), provider('b', { quotaNumbers: 10, orderedInPeriod: 12 })],
        requests: [request('g1', [], 10)],
        want: { orders: [], unfilled: [{ groupingId: 'g1', quantity: 10, reason: 'quota exhausted at every covering provider' }] },
      },
      {
        name: 'no coverage → unfilled with the missing requirement',
        providers: [provider('p212', { npas: ['212'] })],
        requests: [request('g1', ['npa:415'], 7)],
        want: { orders: [], unfilled: [{ groupingId: 'g1', quantity: 7, reason: 'no active provider covers npa 415' }] },
      },
      {
        name: 'inactive providers skipped',
        providers: [provider('off', { active: false, costPerNumberCents: 1, reliabilityScore: 1 }), provider('on')],
        requests: [request('g1', [], 3, ['off'])],
        want: { orders: [order('on', line('g1', [], 3))], unfilled: [] },
      },
      {
        name: 'only inactive providers cover → unfilled as uncovered',
        providers: [provider('off', { active: false, countries: ['US'] }), provider('gb', { countries: ['GB'] })],
        requests: [request('g1', ['country:us', 'npa:415'], 3)],
        want: { orders: [], unfilled: [{ groupingId: 'g1', quantity: 3, reason: 'no active provider covers country US, npa 415' }] },
      },
      {
        name: 'two groupings served by one provider merge into one order with two lines',
        providers: [provider('a', { costPerNumberCents: 10 }), provider('b')],
        requests: [request('g1', ['npa:415'], 3), request('g2', ['npa:212'], 5)],
        want: { orders: [order('a', line('g2', ['npa:212'], 5), line('g1', ['npa:415'], 3))], unfilled: [] },
      },
      {
        name: 'quota is shared across requests within one assignment',
        providers: [provider('a', { costPerNumberCents: 10, quotaNumbers: 10 }), provider('b')],
        requests: [request('g1', [], 8), request('g2', [], 5)],
        want: {
          orders: [order('a', line('g1', [], 8), line('g2', [], 2)), order('b', line('g2', [], 3))],
          unfilled: [],
        },
      },
      {
        name: 'larger requests take scarce quota first, then groupingId',
        providers: [provider('a', { costPerNumberCents: 10, quotaNumbers: 7 }), provider('b')],
        requests: [request('small', [], 3), request('z-big', [], 7), request('a-big', [], 7)],
        want: {
          orders: [order('a', line('a-big', [], 7)), order('b', line('z-big', [], 7), line('small', [], 3))],
          unfilled: [],
        },
      },
      {
        name: 'a large request split across three providers',
        providers: [
          provider('c', { costPerNumberCents: 90 }),
          provider('a', { costPerNumberCents: 50, quotaNumbers: 30 }),
          provider('b', { costPerNumberCents: 70, quotaNumbers: 40, orderedInPeriod: 20 }),
        ],
        requests: [request('g1', ['country:us'], 100)],
        want: {
          orders: [order('a', line('g1', ['country:us'], 30)), order('b', line('g1', ['country:us'], 20)), order('c', line('g1', ['country:us'], 50))],
          unfilled: [],
        },
      },
    ];
    for (const c of cases) {
      it(c.name, () => assert.deepEqual(assignRequests(c.requests, c.providers), c.want));
    }

    const mixedProviders = (): ProviderInfo[] => [
      provider('x', { countries: ['US'], costPerNumberCents: 30, quotaNumbers: 12 }),
      provider('y', { npas: ['415', '212'], reliabilityScore: 0.97 }),
      provider('z', { kinds: ['MOBILE'], costPerNumberCents: 60, quotaNumbers: 50, orderedInPeriod: 45 }),
    ];
    const mixedRequests = (): AcquireRequest[] => [
      request('g1', ['country:us', 'npa:415'], 9),
      request('g2', ['kind:mobile', 'cap:sms'], 20, ['z']),
      request('g3', ['npa:646'], 4),
      request('g4', ['country:us'], 9),
    ];

    it('is deterministic and independent of input order', () => {
      const first = assignRequests(mixedRequests(), mixedProviders());
      assert.deepEqual(assignRequests(mixedRequests(), mixedProviders()), first);
      assert.deepEqual(assignRequests(mixedRequests().reverse(), mixedProviders().reverse()), first);
    });

    it('never exceeds a quota, never emits a zero line, and accounts for every number', () => {
      const providers = mixedProviders();
      const requests = mixedRequests();
      const out = assignRequests(requests, providers);
      for (const o of out.orders) {
        const p = providers.find((q) => q.id === o.providerId);
        assert.ok(p);
        if (p.quotaNumbers !== null) assert.ok(p.orderedInPeriod + o.total <= p.quotaNumbers, o.providerId);
        assert.equal(
          o.total,
          o.lines.reduce((s, l) => s + l.quantity, 0),
        );
        for (const l of o.lines) assert.ok(l.quantity > 0);
      }
      const placed = out.orders.flatMap((o) => o.lines).reduce((s, l) => s + l.quantity, 0);
      const missing = out.unfilled.reduce((s, u) => s + u.quantity, 0);
      assert.equal(
        placed + missing,
        requests.reduce((s, r) => s + r.quantity, 0),
      );
    });

    it('does not mutate its inputs', () => {
      const providers = mixedProviders();
      const requests = mixedRequests();
      assignRequests(requests, providers);
      assert.deepEqual(providers, mixedProviders());
      assert.deepEqual(requests, mixedRequests());
    });

    it('rejects a non-positive quantity', () => {
      assert.throws(() => assignRequests([request('g1', [], 0)], [provider('a')]), RangeError);
    });
  });
});
