// Search of AVAILABLE endpoints through the API on the real database.
import assert from 'node:assert/strict';
import { buildApp } from '../../src/api/app';
import { TemporalGateway } from '../../src/temporal/gateway';
import { serve } from '../support/http';
import { apiKey, db, stack, testConfig, testLog } from '../support/stack';

interface Found {
  endpoints: { address: string; kind: string; capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean }; monthlyCostCents: number }[];
  next: string | null;
}

describe('API: search', () => {
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let key = '';
  let notices = 0;
  const search = async (query: string, auth = key) => fetch(`${app.url}/v1/endpoints?${query}`, { headers: { authorization: `Bearer ${auth}` } });
  const found = async (query: string) => {
    const res = await search(query);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Found;
  };

  before(async () => {
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 1500);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: testConfig(), notifier: { notify: () => notices++ } }));
    key = await apiKey('PLATFORM', ['acct-search']);
    // 708 555 xxxx: lines 2250-2259 (2255 spells CALL), sms on even lines, price rising with the line
    const lines = Array.from({ length: 10 }, (_, i) => 2250 + i);
    await db().$executeRaw`
      INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, state, sms_enabled, monthly_cost_cents, quality_score, classifier_tags)
      SELECT '+1708555' || l, 'FIXED_LINE_OR_MOBILE', 'US', '708', '555', l::text, '708555' || l, 'AVAILABLE', l % 2 = 0, l - 2200, (l - 2250) / 10.0,
             ARRAY['country:us', 'npa:708', 'nxx:708555', 'kind:fixed_line_or_mobile'] || CASE WHEN l % 2 = 0 THEN ARRAY['cap:sms'] ELSE ARRAY[]::text[] END
        FROM unnest(${lines}::int[]) AS l`;
  });
  after(async () => {
    await db().endpoint.deleteMany({ where: { npa: '708' } }); // no workflows: would be drift at the end
    await app.close();
    await gateway.close();
  });

  it('filters by area code and capability', async () => {
    const r = await found('npa=708&capabilities=sms');
    assert.equal(r.endpoints.length, 5);
    assert.ok(r.endpoints.every((e) => e.capabilities.sms));
  });

  it('finds digits, keypad letters and wildcards; refuses contains shorter than 4 digits', async () => {
    assert.deepEqual(
      (await found('contains=5552255')).endpoints.map((e) => e.address),
      ['+17085552255'],
    );
    assert.deepEqual(
      (await found('npa=708&contains=CALL')).endpoints.map((e) => e.address),
      ['+17085552255'],
    );
    assert.equal((await found('npa=708&endsWith=225*')).endpoints.length, 10);
    assert.equal((await found('startsWith=708555225')).endpoints.length, 10);
    const short = await search('contains=225');
    assert.equal(short.status, 400);
    const err = (await short.json()) as { errors: { field: string; reason: string }[] };
    assert.equal(err.errors[0]!.field, 'contains');
    assert.match(err.errors[0]!.reason, /at least 4 digits/);
  });

  it('speaks one vocabulary: lower-case kinds, nxx the 3-digit exchange, capabilities as booleans; digit patterns without the country code', async () => {
    const r = await found('kind=fixed_line_or_mobile&npa=708&nxx=555&limit=1');
    assert.equal(r.endpoints.length, 1);
    assert.equal(r.endpoints[0]!.kind, 'fixed_line_or_mobile');
    assert.deepEqual(r.endpoints[0]!.capabilities, { voice: false, sms: true, mms: false, fax: false });
    // nxx alone: the exchange in any area code
    assert.equal((await found('nxx=555&startsWith=708')).endpoints.length, 10);
    // startsWith is on the national number: +1 is not part of it
    assert.equal((await found('startsWith=1708555')).endpoints.length, 0);
    assert.equal((await found('startsWith=708555')).endpoints.length, 10);
  });

  it('orders by nearness to a number, filters by price and quality, and pages', async () => {
    assert.deepEqual(
      (await found('near=%2B17085552257&limit=3')).endpoints.map((e) => e.address),
      ['+17085552257', '+17085552256', '+17085552258'],
    );
    assert.ok((await found('npa=708&maxPrice=52')).endpoints.every((e) => e.monthlyCostCents <= 52));
    assert.equal((await found('npa=708&minQuality=0.8')).endpoints.length, 2);
    const first = await found('npa=708&limit=4');
    assert.equal(first.endpoints.length, 4);
    const second = await found(`npa=708&limit=4&after=${encodeURIComponent(first.next!)}`);
    assert.equal(second.endpoints[0]!.address > first.endpoints[3]!.address, true);
  });

  it('records a search that found nothing as unmet demand and tells the monitor', async () => {
    const before = await db().unmetSearch.count();
    const seen = notices;
    assert.equal((await found('npa=708&capabilities=mms')).endpoints.length, 0);
    assert.equal(await db().unmetSearch.count(), before + 1);
    assert.deepEqual((await db().unmetSearch.findFirst({ orderBy: { id: 'desc' } }))?.tags, ['cap:mms', 'npa:708']);
    assert.equal(notices, seen + 1);
  });

  it('answers bad input 400 naming the field, no key 401, a carrier key 403', async () => {
    for (const [q, field] of [
      ['colour=red', 'colour'],
      ['npa=7', 'npa'],
      ['limit=1000', 'limit'],
      ['capabilities=telepathy', 'capabilities'],
      ['near=hello', 'near'],
    ] as const) {
      const res = await search(q);
      assert.equal(res.status, 400, q);
      assert.equal(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field, field, q);
    }
    assert.equal((await fetch(`${app.url}/v1/endpoints?npa=708`)).status, 401);
    assert.equal((await search('npa=708', await apiKey('CARRIER'))).status, 403);
  });
});
