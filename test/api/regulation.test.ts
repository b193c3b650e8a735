// The country regulation manager through the API on the real stack (worker,
// workflows, PostgreSQL): the shipped defaults; rules set, replaced, deleted
// and kept in their history; addresses on file checked for their country;
// allocation by every path refused naming the rule the account does not
// meet — an address required, a kind not sold, a cap that concurrent
// allocations cannot exceed — a reservation's conversion judged again under
// a rule changed since (refused naming it, the reservation kept), kinds not
// sold left out of search (/v1 and the Twilio twin), and domestic-only
// numbers flagged in search.
// Its rules are for France (FR), which no other suite uses; they are removed after.
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { lifecyclePolicy } from '../../src/config';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { addressRequirement } from '../../src/usecases/country-rules';
import { accountSid } from '../../src/domain/twilio';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { SHARED_TASK_QUEUE, apiKey, db, testConfig } from '../support/stack';

/** Paris fixed-line numbers, and two mobiles */
const FIXED = Array.from({ length: 12 }, (_, i) => `+3314000${String(1000 + i)}`);
const MOBILE = ['+33612345601', '+33612345602'];
const A = 'acct-reg-a';
const B = 'acct-reg-b';
const C = 'acct-reg-c';
const D = 'acct-reg-d';

interface Problem {
  status: number;
  code: string;
  detail: string;
  country?: string;
  kind?: string;
  sources?: string[];
  errors?: { field: string; reason: string }[];
}

describe('API: country rules, addresses, and allocation under them', function () {
  this.timeout(180_000);
  const taskQueue = SHARED_TASK_QUEUE;
  let parts: ApiStack;
  let client: Client;
  let app: ApiStack['app'];
  let op = '';
  let keyA = '';
  let keyB = '';
  let keyC = '';
  let keyD = '';
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s' });
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const rule = (path: string, body: unknown) => call('PUT', `/v1/country-rules/${path}`, op, body);
  const allocate = (key: string, body: unknown) => call('POST', '/v1/allocations', key, body);
  const refusal = (r: { status: number; body: Record<string, unknown> }) => {
    assert.equal(r.status, 409, JSON.stringify(r.body));
    return r.body as unknown as Problem;
  };
  const clearFr = async () => {
    await db().$executeRaw`DELETE FROM country_rules WHERE country = 'FR'`;
  };

  before(async () => {
    parts = await startApiStack(config());
    ({ client, app } = parts);
    op = await apiKey('OPERATOR');
    keyA = await apiKey('PLATFORM', [A]);
    keyB = await apiKey('PLATFORM', [B]);
    keyC = await apiKey('PLATFORM', [C]);
    keyD = await apiKey('PLATFORM', [D]);
    await clearFr();
    await ingestEndpoints(
      { db: db(), client, taskQueue, policy: lifecyclePolicy(config()) },
      [...FIXED, ...MOBILE].map((address) => ({ address, monthlyCostCents: 100 })),
      { entry: 'quarantine', actor: 'test' },
    );
    const all = [...FIXED, ...MOBILE];
    for (let i = 0; i < 300 && (await db().endpoint.count({ where: { address: { in: all }, state: 'AVAILABLE' } })) < all.length; i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await db().endpoint.count({ where: { address: { in: all }, state: 'AVAILABLE' } }), all.length);
  });
  after(async () => {
    await clearFr();
    await parts.stop();
  });

  it('ships its documented defaults (US, GB, DE) after migration, each saying where it comes from', async () => {
    const { status, body } = await call('GET', '/v1/country-rules', op);
    assert.equal(status, 200);
    const rules = body.rules as { country: string; kind: string | null; addressRequired: boolean | null; kindsSold: string[] | null; note: string }[];
    const of = (country: string, kind: string | null) => rules.find((r) => r.country === country && r.kind === kind);
    for (const [country, kind] of [
      ['US', null],
      ['GB', null],
      ['GB', 'fixed_line'],
      ['DE', null],
      ['DE', 'fixed_line'],
    ] as const) {
      assert.ok(of(country, kind), `${country}/${kind ?? 'all'} is shipped`);
      assert.match(of(country, kind)!.note, /^example: /);
    }
    assert.equal(of('DE', 'fixed_line')!.addressRequired, true);
    // as the Twilio-compatible API will ask it
    assert.equal(await addressRequirement(db(), 'de', 'FIXED_LINE'), true);
    assert.equal(await addressRequirement(db(), 'DE', 'MOBILE'), false);
    assert.equal(await addressRequirement(db(), 'GB', 'FIXED_LINE'), true);
    assert.equal(await addressRequirement(db(), 'US', 'FIXED_LINE'), false);
    assert.ok(!of('DE', null)!.kindsSold!.includes('premium_rate'));
    assert.ok(!of('US', null)!.kindsSold!.includes('premium_rate'));
    // the migration's own changes are in the history too
    const history = await call('GET', '/v1/country-rules/DE/history', op);
    assert.ok((history.body.changes as { change: string; actor: string }[]).some((c) => c.change === 'created' && c.actor === 'migration'));
  });

  it('sets, replaces and deletes rules, keeping every change with who, when, old and new', async () => {
    const created = await rule('fr', { agingSeconds: 864000, note: 'test' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.country, 'FR');
    assert.equal(created.body.version, 1);
    const replaced = await rule('FR', { agingSeconds: 1728000, maxPerAccount: 5 });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.version, 2);
    assert.equal(replaced.body.note, null, 'a PUT replaces: what it leaves out is inherited');
    assert.equal((await rule('FR/kinds/mobile', { domesticOnly: true })).status, 201);
    const got = await call('GET', '/v1/country-rules/FR', op);
    assert.deepEqual(
      (got.body.rules as { kind: string | null }[]).map((r) => r.kind),
      [null, 'mobile'],
    );
    // bad input names the field
    const bad = await rule('FR/kinds/mobile', { kindsSold: ['mobile'] });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as unknown as Problem).errors?.[0]?.field, 'kindsSold');
    assert.equal((await rule('FRA', {})).status, 400);
    assert.equal((await rule('FR', { agingSeconds: 0 })).status, 400);
    assert.equal((await rule('FR/kinds/pager', {})).status, 400);
    // operators only
    assert.equal((await call('PUT', '/v1/country-rules/FR', keyA, {})).status, 403);

    assert.equal((await call('DELETE', '/v1/country-rules/FR/kinds/mobile', op)).status, 200);
    assert.equal((await call('DELETE', '/v1/country-rules/FR/kinds/mobile', op)).status, 404);
    const history = await call('GET', '/v1/country-rules/FR/history', op);
    const changes = history.body.changes as {
      kind: string | null;
      version: number;
      change: string;
      old: { agingSeconds: number } | null;
      new: { agingSeconds: number } | null;
      actor: string;
    }[];
    assert.deepEqual(
      changes.map((c) => [c.kind, c.change, c.version]),
      [
        ['mobile', 'deleted', 1],
        ['mobile', 'created', 1],
        [null, 'updated', 2],
        [null, 'created', 1],
      ],
    );
    const update = changes[2]!;
    assert.equal(update.old?.agingSeconds, 864000);
    assert.equal(update.new?.agingSeconds, 1728000);
    assert.match(update.actor, /^key:/);
  });

  it('checks addresses for their country, and keeps them per account', async () => {
    const post = (body: unknown, key = keyA, account = A) => call('POST', `/v1/accounts/${account}/addresses`, key, body);
    const bad = await post({ country: 'US', customerName: 'Acme', street: '1 Market St', locality: 'San Francisco', region: 'NY', postalCode: '94105' });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      (bad.body as unknown as Problem).errors?.map((e) => e.field),
      ['postalCode'],
    );
    assert.match((bad.body as unknown as Problem).detail, /94105 is in CA, not NY/);
    const gb = await post({ country: 'GB', customerName: 'Acme', street: '10 Downing St', locality: 'London', postalCode: '12345' });
    assert.equal(gb.status, 400);
    assert.match((gb.body as unknown as Problem).detail, /postalCode: not a GB postal code/);
    const missing = await post({ country: 'DE', customerName: '', street: 'Unter den Linden 1', locality: 'Berlin', postalCode: '10117' });
    assert.equal((missing.body as unknown as Problem).errors?.[0]?.field, 'customerName');
    const ok = await post({ country: 'gb', customerName: 'Acme', street: '10 Downing St', locality: 'London', postalCode: 'sw1a 2aa' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.country, 'GB');
    assert.equal(ok.body.postalCode, 'SW1A 2AA');
    const id = ok.body.id as string;
    assert.equal((await call('GET', `/v1/accounts/${A}/addresses/${id}`, keyA)).status, 200);
    // another account's address does not exist for this key
    assert.equal((await call('GET', `/v1/accounts/${A}/addresses/${id}`, keyB)).status, 404);
    assert.equal((await call('GET', `/v1/accounts/${B}/addresses/${id}`, keyB)).status, 404);
    const list = await call('GET', `/v1/accounts/${A}/addresses?country=GB`, keyA);
    assert.deepEqual(
      (list.body.addresses as { id: string }[]).map((a) => a.id),
      [id],
    );
    assert.equal((await call('DELETE', `/v1/accounts/${A}/addresses/${id}`, keyA)).status, 200);
    assert.equal((await call('GET', `/v1/accounts/${A}/addresses/${id}`, keyA)).status, 404);
  });

  it('refuses every allocation path without a required address, naming the rule; allocates once the address is on file', async () => {
    await rule('FR', { addressRequired: true });
    const byAddress = refusal(await allocate(keyA, { accountId: A, address: FIXED[0] }));
    assert.equal(byAddress.code, 'address_required');
    assert.equal(byAddress.country, 'FR');
    assert.match(byAddress.detail, /FR requires an address on file in FR for fixed_line numbers/);
    assert.match(byAddress.detail, /country rule FR v\d+/);
    assert.equal(refusal(await allocate(keyA, { accountId: A, criteria: { country: 'fr', kind: 'fixed_line' } })).code, 'address_required');
    assert.equal(refusal(await call('POST', '/v1/reservations', keyA, { accountId: A, address: FIXED[0], minutes: 5 })).code, 'address_required');
    const batch = refusal(await allocate(keyA, { accountId: A, criteria: { country: 'fr', kind: 'fixed_line' }, quantity: 2, mode: 'partial' }));
    assert.equal(batch.code, 'not_enough_available');
    assert.match(batch.detail, /address on file/);
    // nothing was taken, and nothing is left claimed
    assert.equal(await db().endpoint.count({ where: { accountId: A } }), 0);
    assert.equal(await db().endpoint.count({ where: { address: { in: FIXED }, claimedUntil: { gt: new Date() } } }), 0);

    const address = await call('POST', `/v1/accounts/${A}/addresses`, keyA, {
      country: 'FR',
      customerName: 'Acme SARL',
      street: '8 rue de Rivoli',
      locality: 'Paris',
      postalCode: '75004',
    });
    assert.equal(address.status, 201, JSON.stringify(address.body));
    const allocated = await allocate(keyA, { accountId: A, address: FIXED[0] });
    assert.equal(allocated.status, 201, JSON.stringify(allocated.body));
    assert.equal(allocated.body.accountId, A);
  });

  it('holds a cap per account and country against concurrent allocations', async () => {
    await rule('FR', { maxPerAccount: 3 });
    const targets = FIXED.slice(1, 9);
    const answers = await Promise.all(targets.map((address) => allocate(keyB, { accountId: B, address })));
    const won = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201).map((a) => refusal(a));
    assert.equal(won.length, 3, JSON.stringify(answers.map((a) => [a.status, a.body.code])));
    assert.equal(refused.length, 5);
    for (const r of refused) {
      assert.equal(r.code, 'account_cap_reached');
      assert.match(r.detail, /at most 3 numbers in FR; this one holds 3/);
    }
    assert.equal(await db().endpoint.count({ where: { accountId: B, country: 'FR', state: 'ALLOCATED' } }), 3);
    // the refused ones are still on the shelf, for someone else
    assert.equal(await db().endpoint.count({ where: { address: { in: targets }, state: 'AVAILABLE' } }), 5);
  });

  it('refuses a kind the country does not sell, by address, by criteria and in an exchange', async () => {
    await rule('FR', { kindsSold: ['fixed_line'] });
    const r = refusal(await allocate(keyC, { accountId: C, address: MOBILE[0] }));
    assert.equal(r.code, 'kind_not_sold');
    assert.equal(r.kind, 'mobile');
    assert.match(r.detail, /mobile numbers are not sold in FR/);
    assert.equal(refusal(await allocate(keyC, { accountId: C, criteria: { country: 'fr', kind: 'mobile' } })).code, 'kind_not_sold');
    // an exchange allocates too: refused the same, and the old number stays with its holder
    const exchange = refusal(await call('POST', '/v1/exchanges', keyA, { accountId: A, address: FIXED[0], newAddress: MOBILE[1] }));
    assert.equal(exchange.code, 'kind_not_sold');
    assert.equal((await db().endpoint.findUniqueOrThrow({ where: { address: FIXED[0] } })).accountId, A);
    assert.equal((await db().endpoint.findUniqueOrThrow({ where: { address: MOBILE[1] } })).state, 'AVAILABLE');
  });

  it('flags domestic-only numbers in search, at their lower price', async () => {
    await rule('FR', {});
    await rule('FR/kinds/fixed_line', { domesticOnly: true, domesticDiscountPercent: 25 });
    const { status, body } = await call('GET', '/v1/endpoints?country=fr&limit=100', keyC);
    assert.equal(status, 200);
    const found = body.endpoints as { address: string; kind: string; domesticOnly: boolean; monthlyCostCents: number; offeredPriceCents: number }[];
    const fixed = found.filter((e) => e.kind === 'fixed_line');
    const mobile = found.filter((e) => e.kind === 'mobile');
    assert.ok(fixed.length > 0 && mobile.length > 0, JSON.stringify(found));
    for (const e of fixed) assert.deepEqual([e.domesticOnly, e.monthlyCostCents, e.offeredPriceCents], [true, 100, 75]);
    for (const e of mobile) assert.deepEqual([e.domesticOnly, e.offeredPriceCents], [false, 100]);
  });

  it('leaves kinds a country does not sell out of search, in /v1 and in the Twilio twin, and counts no unmet demand for them', async () => {
    await rule('FR', { kindsSold: ['fixed_line'] });
    const found = async (query: string) => {
      const r = await call('GET', `/v1/endpoints?${query}`, keyC);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body.endpoints as { address: string; kind: string }[]).map((e) => e.kind);
    };
    const all = await found('country=fr&limit=100');
    assert.ok(all.includes('fixed_line'), JSON.stringify(all));
    assert.ok(!all.includes('mobile'), JSON.stringify(all));
    // every country, unfiltered: still none of them
    assert.deepEqual(await found('contains=3361234560&limit=100'), [], 'no country asked: still left out');
    const demand = () => db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM unmet_searches WHERE account_id = ${C}`;
    const before = (await demand())[0]!.n;
    assert.deepEqual(await found('country=fr&kind=mobile&limit=100'), []);
    assert.equal((await demand())[0]!.n, before, 'a kind not sold is not demand the shelf could meet');
    const twin = async (type: string) => {
      const res = await fetch(`${app.url}/2010-04-01/Accounts/${accountSid(C)}/AvailablePhoneNumbers/FR/${type}.json?PageSize=100`, {
        headers: { authorization: `Basic ${Buffer.from(`${accountSid(C)}:${keyC}`).toString('base64')}` },
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as { available_phone_numbers: { phone_number: string }[] }).available_phone_numbers.map((n) => n.phone_number);
    };
    assert.deepEqual(await twin('Mobile'), []);
    assert.ok((await twin('Local')).length > 0);
    // sold again: back in search
    await rule('FR', {});
    assert.ok((await found('country=fr&limit=100')).includes('mobile'));
    assert.ok((await twin('Mobile')).includes(MOBILE[1]!));
  });

  it("judges a reservation's conversion again under the rules as they are now: refused naming the rule, the reservation kept", async () => {
    await rule('FR', {});
    await db().$executeRaw`DELETE FROM country_rules WHERE country = 'FR' AND kind IS NOT NULL`;
    const reserve = async (address: string) => {
      const r = await call('POST', '/v1/reservations', keyD, { accountId: D, address, minutes: 30 });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id as string;
    };
    const fixed = await reserve(FIXED[9]!);
    const mobile = await reserve(MOBILE[1]!);
    const convert = (id: string) => call('POST', `/v1/reservations/${id}/allocation`, keyD, {});
    const kept = async (id: string, address: string) => {
      const view = await call('GET', `/v1/reservations/${id}`, keyD);
      assert.equal(view.body.status, 'active', JSON.stringify(view.body));
      const row = await db().endpoint.findUniqueOrThrow({ where: { address } });
      assert.deepEqual([row.state, row.accountId], ['RESERVED', D]);
    };
    // the kind is no longer sold
    await rule('FR', { kindsSold: ['fixed_line'] });
    const notSold = refusal(await convert(mobile));
    assert.equal(notSold.code, 'kind_not_sold');
    assert.match(notSold.detail, /mobile numbers are not sold in FR/);
    await kept(mobile, MOBILE[1]!);
    // the account's cap is reached (its other reservation counts)
    await rule('FR', { maxPerAccount: 1 });
    const capped = refusal(await convert(fixed));
    assert.equal(capped.code, 'account_cap_reached');
    assert.match(capped.detail, /at most 1 numbers in FR; this one holds 1/);
    await kept(fixed, FIXED[9]!);
    // an address is now required
    await rule('FR', { addressRequired: true });
    const noAddress = refusal(await convert(fixed));
    assert.equal(noAddress.code, 'address_required');
    assert.match(noAddress.detail, /country rule FR v\d+/);
    await kept(fixed, FIXED[9]!);
    // the rules met again: converted
    await rule('FR', {});
    const done = await convert(fixed);
    assert.equal(done.status, 201, JSON.stringify(done.body));
    assert.deepEqual([done.body.state, done.body.accountId], ['ALLOCATED', D]);
    await call('DELETE', `/v1/reservations/${mobile}`, keyD);
  });
});
