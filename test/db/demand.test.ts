// Unmet demand is not a purchase button (issue 14, scenario 5): an empty
// search or a none-available allocation is counted once per account,
// criteria and UNMET_DEMAND_WINDOW, and one account adds at most
// UNMET_DEMAND_PER_ACCOUNT to a grouping's unmet count — so one tenant
// looping searches cannot make the monitor (with autoAdjust) buy numbers,
// while demand from several accounts still counts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createGrouping, evaluateGroupings } from '../../src/db/groupings';
import type { Caller } from '../../src/domain/access';
import { NoneAvailable } from '../../src/domain/errors';
import { decide, type GroupingMetrics } from '../../src/domain/inventory';
import type { TemporalGateway } from '../../src/temporal/gateway';
import { allocator } from '../../src/usecases/allocate';
import { search } from '../../src/usecases/search';
import { db, testConfig } from '../support/stack';

const NPA = '574';
const ACCOUNTS = ['acct-demand-1', 'acct-demand-2', 'acct-demand-3', 'acct-demand-4', 'acct-demand-5'];
const caller = (accountId: string): Caller => ({
  keyId: randomUUID(),
  name: `demand ${accountId}`,
  scope: 'PLATFORM',
  accountIds: [accountId],
  providerId: null,
  rateLimit: null,
});

describe('unmet demand: once per account, criteria and window; capped per account', function () {
  this.timeout(120_000);
  let CAP = 0;
  let groupingId = '';
  let notices = 0;
  const deps = () => ({ db: db(), notify: () => notices++ });
  const metrics = async (): Promise<GroupingMetrics> =>
    (await evaluateGroupings(db(), { windowMs: 24 * 3_600_000, snapshot: false, unmetPerAccount: CAP })).find((m) => m.groupingId === groupingId)!;
  /** an empty search: the shelf's 574 numbers are voice only */
  const emptySearch = async (accountId: string, nxx?: string) => {
    const found = await search(deps(), caller(accountId), { npa: NPA, capabilities: 'mms', limit: 20, ...(nxx ? { nxx } : {}) });
    assert.equal(found.endpoints.length, 0);
  };

  before(async () => {
    CAP = testConfig().UNMET_DEMAND_PER_ACCOUNT;
    for (const id of ACCOUNTS) await db().account.upsert({ where: { id }, create: { id, name: id }, update: {} });
    // five voice-only numbers on the shelf, exactly the operator's minimum: nothing to order
    const lines = [1001, 1002, 1003, 1004, 1005];
    await db().$executeRaw`
      INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, state, voice_enabled, classifier_tags)
      SELECT '+1574555' || l, 'FIXED_LINE_OR_MOBILE', 'US', '574', '555', l::text, '574555' || l, 'AVAILABLE', true,
             ARRAY['cap:voice', 'country:us', 'kind:fixed_line_or_mobile', 'npa:574', 'nxx:574555']
        FROM unnest(${lines}::int[]) AS l`;
    groupingId = (
      await createGrouping(db(), { name: 'demand 574', tags: [`npa:${NPA}`], minAvailable: 5, targetAvailable: 10, maxAvailable: 40, autoAdjust: true })
    ).id;
  });
  after(async () => {
    await db().unmetSearch.deleteMany({ where: { accountId: { in: ACCOUNTS } } });
    await db().classificationGrouping.deleteMany({ where: { id: groupingId } });
    await db().endpoint.deleteMany({ where: { npa: NPA } }); // no workflows: would be drift at the end
  });

  it('1,000 empty searches by one account raise the grouping’s unmet count by at most the cap, and the monitor orders nothing', async () => {
    const before = await metrics();
    assert.equal(before.available, 5);
    assert.equal(decide(before), null, 'nothing to order before');
    // half the same search, half each a different exchange (criteria the per-window dedupe cannot fold)
    for (let i = 0; i < 1000; i++) await emptySearch(ACCOUNTS[0]!, i % 2 ? String(200 + (i % 700)) : undefined);
    const after = await metrics();
    assert.ok(
      after.unmetSearches - before.unmetSearches <= CAP,
      `one account raised unmet searches by ${after.unmetSearches - before.unmetSearches} (cap ${CAP})`,
    );
    assert.equal(decide(after), null, `the monitor would order: ${JSON.stringify(decide(after))}`);
    // the same criteria, again and again in the window: recorded once
    const same = await db().unmetSearch.count({ where: { accountId: ACCOUNTS[0], tags: { equals: ['cap:mms', `npa:${NPA}`] } } });
    assert.equal(same, 1, 'the same search by the same account counts once per window');
  });

  it('none-available allocations count the same way: once per criteria and window, at most the cap per account', async () => {
    const before = await metrics();
    // no candidate is ever found, so Temporal is never asked (only connected to)
    const temporal = { client: () => Promise.resolve({}) } as unknown as TemporalGateway;
    const allocate = allocator({ db: db(), temporal, notify: () => notices++ });
    for (let i = 0; i < 200; i++) {
      const criteria = { npa: NPA, capabilities: ['mms' as const], ...(i % 2 ? { nxx: String(200 + i) } : {}) };
      await assert.rejects(allocate.byCriteria({ criteria, accountId: ACCOUNTS[1]!, actor: 'test', operation: randomUUID() }), NoneAvailable);
    }
    const after = await metrics();
    assert.ok(
      after.unmetSearches - before.unmetSearches <= CAP,
      `one account's allocations raised unmet searches by ${after.unmetSearches - before.unmetSearches} (cap ${CAP})`,
    );
  });

  it('searches by several accounts still count, each once per window, and can raise the minimum', async () => {
    const before = await metrics();
    for (const id of ACCOUNTS.slice(2)) for (let i = 0; i < 10; i++) await emptySearch(id);
    const after = await metrics();
    assert.equal(after.unmetSearches - before.unmetSearches, ACCOUNTS.length - 2, 'each further account’s search counts once');
    // demand from several accounts is real demand: autoAdjust raises the minimum above the shelf and the monitor orders
    assert.ok(after.unmetSearches > 5, `unmet ${after.unmetSearches}`);
    const decision = decide(after);
    assert.equal(decision?.kind, 'acquire', JSON.stringify(decision));
  });
});
