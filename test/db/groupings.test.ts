// The set-based evaluation (trigger-kept counts + one SQL pass) against the
// plain TypeScript evaluation of the same data, on generated endpoints that
// are inserted, moved between states, re-tagged and deleted.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createGrouping, evaluateGroupings, rebuildGroupingCounts, updateGrouping } from '../../src/db/groupings';
import { evaluateReference, type ReferenceData } from '../../src/domain/inventory';
import type { EndpointStateName } from '../../workflows/shared';
import { db } from '../support/stack';

// a small seeded generator: the same data every run
function rng(seed: number) {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const NPAS = ['901', '902', '903'];
const CAPS = ['cap:sms', 'cap:voice', 'cap:mms'];
const STATES: EndpointStateName[] = ['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'QUARANTINE', 'TESTING', 'AGING', 'REJECTED'];

describe('grouping evaluation: SQL pass equals the TypeScript evaluation', function () {
  this.timeout(60_000);
  const random = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const groupingIds: string[] = [];
  const HOUR = 3_600_000;

  const tagsOf = (i: number) =>
    [
      'country:us',
      `npa:${pick(NPAS)}`,
      `kind:${pick(['mobile', 'fixed_line_or_mobile'])}`,
      ...CAPS.filter(() => random() < 0.5),
      ...(i % 13 === 0 ? ['vanity:repeated'] : []),
      // place tags as the geo data sets them (a third of the numbers it cannot place)
      ...(i % 3 === 0 ? ['region:us-ca', 'locality:us-ca-san-francisco'] : i % 3 === 1 ? ['region:us-ny'] : []),
    ].sort();

  async function insertEndpoints(from: number, count: number): Promise<void> {
    const rows = Array.from({ length: count }, (_, k) => ({
      address: `+1900${String(from + k).padStart(7, '0')}`,
      tags: tagsOf(from + k),
      state: pick(STATES),
    }));
    await db().$executeRaw`
      INSERT INTO endpoints (address, kind, state, classifier_tags)
      SELECT a, 'MOBILE', s::"EndpointState", string_to_array(t, ',')
        FROM unnest(${rows.map((r) => r.address)}::text[], ${rows.map((r) => r.state)}::text[], ${rows.map((r) => r.tags.join(','))}::text[]) AS x(a, s, t)`;
  }

  before(async () => {
    await db().account.upsert({ where: { id: 'acct-eval' }, create: { id: 'acct-eval', name: 'eval' }, update: {} });
    // overlapping groupings, some made before the endpoints (kept by triggers) …
    for (const [name, tags] of [
      ['eval npa:901', ['npa:901']],
      ['eval cap:sms', ['cap:sms']],
      ['eval npa:901 + cap:sms', ['cap:sms', 'npa:901']],
      ['eval 902 mobile voice', ['cap:voice', 'kind:mobile', 'npa:902']],
      ['eval region us-ca', ['region:us-ca']],
      ['eval region us-ny sms', ['cap:sms', 'region:us-ny']],
    ] as const) {
      groupingIds.push((await createGrouping(db(), { name, tags: [...tags], minAvailable: 10, targetAvailable: 50, maxAvailable: 400 })).id);
    }
    await insertEndpoints(0, 1500);
    // … and some after (counted when created)
    for (const [name, tags] of [
      ['eval vanity', ['vanity:repeated']],
      ['eval 903 mms', ['cap:mms', 'npa:903']],
      ['eval san francisco', ['locality:us-ca-san-francisco']],
    ] as const) {
      groupingIds.push((await createGrouping(db(), { name, tags: [...tags], minAvailable: 5, targetAvailable: 20, maxAvailable: 100, autoAdjust: true })).id);
    }
    await insertEndpoints(1500, 500);

    // allocations (counted for the rate), other state changes, re-tagging, deletions
    const available = await db().endpoint.findMany({
      where: { state: 'AVAILABLE', address: { startsWith: '+1900' } },
      select: { id: true, classifierTags: true },
      take: 300,
    });
    const toAllocate = available.slice(0, 200);
    await db().endpoint.updateMany({ where: { id: { in: toAllocate.map((e) => e.id) } }, data: { state: 'ALLOCATED', accountId: 'acct-eval' } });
    // as the lifecycle's transitions would have recorded them
    await db().endpointHistory.createMany({
      data: toAllocate.map((e) => ({
        endpointId: e.id,
        version: 1,
        fromState: 'AVAILABLE' as const,
        toState: 'ALLOCATED' as const,
        cause: 'test',
        actor: 'test',
      })),
    });
    await db().endpoint.updateMany({ where: { id: { in: toAllocate.slice(0, 30).map((e) => e.id) } }, data: { state: 'AGING', accountId: null } });
    await db().endpoint.updateMany({ where: { id: { in: available.slice(200, 250).map((e) => e.id) } }, data: { state: 'RESERVED', accountId: 'acct-eval' } });
    for (const e of available.slice(250, 280)) {
      await db().endpoint.update({ where: { id: e.id }, data: { classifierTags: [...new Set([...e.classifierTags, 'cap:sms'])].sort() } });
    }
    await db().endpoint.deleteMany({ where: { id: { in: available.slice(280, 300).map((e) => e.id) } } });
    // a grouping's tags changed after the fact
    await updateGrouping(db(), groupingIds[3]!, { tags: ['cap:voice', 'npa:902'] });

    // demand nobody could meet, and orders in flight
    await db().unmetSearch.createMany({ data: [{ tags: ['cap:sms', 'npa:901'] }, { tags: ['npa:901'] }, { tags: ['npa:903', 'vanity:repeated'] }] });
    // one account asking more often than its share counts (UNMET_DEMAND_PER_ACCOUNT), another within it
    await db().unmetSearch.createMany({
      data: [
        ...Array.from({ length: 9 }, (_, i) => ({ tags: ['cap:sms', 'npa:901', `nxx:901${200 + i}`], accountId: 'acct-eval' })),
        ...Array.from({ length: 2 }, () => ({ tags: ['npa:901'], accountId: 'acct-eval-2' })),
      ],
    });
    await db().provider.upsert({ where: { id: 'prov-eval' }, create: { id: 'prov-eval', name: 'eval', kind: 'API' }, update: {} });
    const open = await db().providerOrder.create({
      data: { providerId: 'prov-eval', direction: 'ACQUIRE', status: 'SUBMITTED', idempotencyKey: randomUUID() },
    });
    const done = await db().providerOrder.create({
      data: { providerId: 'prov-eval', direction: 'ACQUIRE', status: 'DELIVERED', idempotencyKey: randomUUID() },
    });
    await db().orderLine.createMany({
      data: [
        { orderId: open.id, groupingId: groupingIds[0]!, quantity: 40, accepted: 5, rejected: 2 },
        { orderId: open.id, groupingId: groupingIds[1]!, quantity: 10 },
        { orderId: done.id, groupingId: groupingIds[0]!, quantity: 99 },
      ],
    });
  });

  // rows without workflows would be drift for the final reconciliation
  after(() => db().endpoint.deleteMany({ where: { address: { startsWith: '+1900' } } }));

  async function reference(): Promise<ReturnType<typeof evaluateReference>> {
    const groupings = await db().classificationGrouping.findMany({ where: { id: { in: groupingIds } } });
    const endpoints = await db().endpoint.findMany({ select: { classifierTags: true, state: true } });
    const data: ReferenceData = {
      groupings: groupings.map((g) => ({ ...g, tags: g.tags })),
      endpoints: endpoints.map((e) => ({ tags: e.classifierTags, state: e.state })),
      // the open order's lines as they are (the DELIVERED order's line is not on order)
      openLines: [
        { groupingId: groupingIds[0]!, quantity: 40, accepted: 5, rejected: 2 },
        { groupingId: groupingIds[1]!, quantity: 10, accepted: 0, rejected: 0 },
      ],
      openReleases: [],
      // every allocation in the window (other suites' too), by the endpoint's tags
      allocations: (
        await db().endpointHistory.findMany({
          where: { toState: 'ALLOCATED', NOT: { fromState: 'ALLOCATED' }, at: { gte: new Date(Date.now() - 24 * HOUR) } },
          select: { endpoint: { select: { classifierTags: true } } },
        })
      ).map((h) => ({ tags: h.endpoint.classifierTags })),
      unmet: (await db().unmetSearch.findMany()).map((u) => ({ tags: u.tags, accountId: u.accountId })),
      windowHours: 24,
    };
    return evaluateReference(data);
  }

  const fields = ['available', 'allocated', 'reserved', 'inQuarantine', 'onOrder', 'onRelease', 'allocationRate', 'unmetSearches'] as const;
  const pickFields = (m: Record<string, unknown>) => Object.fromEntries(['name', ...fields].map((f) => [f, m[f]]));

  it('counts overlapping groupings exactly as the row-by-row evaluation does', async () => {
    const sql = (await evaluateGroupings(db(), { windowMs: 24 * HOUR, snapshot: false })).filter((m) => groupingIds.includes(m.groupingId));
    const ts = await reference();
    assert.equal(sql.length, groupingIds.length);
    const byId = new Map(ts.map((m) => [m.groupingId, m]));
    for (const m of sql) assert.deepEqual(pickFields(m as never), pickFields(byId.get(m.groupingId) as never), m.name);
    // the data is not trivial: every grouping has members, overlaps differ
    for (const m of sql) assert.ok(m.available + m.allocated + m.inQuarantine > 0, `${m.name} is empty`);
    const [npa901, sms, both] = [0, 1, 2].map((i) => sql.find((m) => m.groupingId === groupingIds[i])!);
    assert.ok(both!.available < npa901!.available && both!.available < sms!.available);
    // on order is what the open order still expects: 40 less the 5 accepted (its 2 rejected are still to come)
    assert.equal(npa901!.onOrder, 35);
  });

  it('a full rebuild gives the same counts the triggers kept', async () => {
    const before = await db().groupingCount.findMany({ orderBy: [{ groupingId: 'asc' }, { state: 'asc' }] });
    await rebuildGroupingCounts(db());
    const after = await db().groupingCount.findMany({ orderBy: [{ groupingId: 'asc' }, { state: 'asc' }] });
    const nonZero = (xs: typeof before) => xs.filter((x) => x.n !== 0).map((x) => `${x.groupingId}/${x.state}=${x.n}`);
    assert.deepEqual(nonZero(before), nonZero(after));
  });

  it('keeps each evaluation as a snapshot, and reads a trend from them', async () => {
    const t0 = new Date(Date.now() - 2 * HOUR);
    await evaluateGroupings(db(), { windowMs: 24 * HOUR, snapshot: true, now: t0 });
    // thirty allocations later, the available count has fallen
    const some = await db().endpoint.findMany({ where: { state: 'AVAILABLE', classifierTags: { has: 'npa:901' } }, select: { id: true }, take: 30 });
    await db().endpoint.updateMany({ where: { id: { in: some.map((e) => e.id) } }, data: { state: 'ALLOCATED', accountId: 'acct-eval' } });
    await evaluateGroupings(db(), { windowMs: 24 * HOUR, snapshot: true, now: new Date(Date.now() - HOUR) });
    const [m] = (await evaluateGroupings(db(), { windowMs: 24 * HOUR, snapshot: false })).filter((x) => x.groupingId === groupingIds[0]);
    assert.ok(m!.trend <= -29 && m!.trend >= -31, `trend ${m!.trend} per hour`);
    assert.ok(m!.depletionSeconds !== null && m!.depletionSeconds > 0);
    assert.equal(await db().inventorySnapshot.count({ where: { groupingId: groupingIds[0] } }), 2);
  });
});
