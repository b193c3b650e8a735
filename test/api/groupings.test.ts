// Groupings and the inventory report through the API, on the real database:
// created, changed and listed; a grouping that can never match is refused
// with the reason; bad input is a 400 naming the field.
import assert from 'node:assert/strict';
import { buildApp } from '../../src/api/app';
import { TemporalGateway } from '../../src/temporal/gateway';
import { apiKey, db, stack, testConfig, testLog } from '../support/stack';
import { serve } from '../support/http';

describe('API: groupings and inventory', () => {
  let app: Awaited<ReturnType<typeof serve>>;
  let temporal: TemporalGateway;
  let key = '';
  const get = (path: string) => fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const post = (path: string, body: unknown, method = 'POST') =>
    fetch(`${app.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
  const errorOf = async (res: Response) => (await res.json()) as { code: string; detail: string; errors?: { field: string; reason: string }[] };

  before(async () => {
    temporal = new TemporalGateway(stack().temporalAddress, 'default', 1500);
    app = await serve(buildApp({ db: db(), temporal, log: testLog, config: testConfig() }));
    key = await apiKey('OPERATOR');
  });
  after(async () => {
    await db().endpoint.deleteMany({ where: { address: { startsWith: '+1950' } } });
    await app.close();
    await temporal.close();
  });

  const good = { name: 'api npa:950 sms', tags: ['npa:950', 'cap:sms'], minAvailable: 2, targetAvailable: 5, maxAvailable: 50 };

  it('creates a grouping, normalising its tags, and counts what it already matches', async () => {
    await db().$executeRaw`INSERT INTO endpoints (address, kind, state, classifier_tags)
      VALUES ('+19505550001', 'MOBILE', 'AVAILABLE', ARRAY['cap:sms','npa:950']), ('+19505550002', 'MOBILE', 'AVAILABLE', ARRAY['npa:950'])`;
    const res = await post('/v1/groupings', good);
    assert.equal(res.status, 201);
    const g = (await res.json()) as { id: string; tags: string[]; key: string };
    assert.deepEqual(g.tags, ['cap:sms', 'npa:950']);
    assert.equal(g.key, 'cap:sms + npa:950');
    const report = (await (await get('/v1/inventory')).json()) as { groupings: { groupingId: string; available: number }[] };
    assert.equal(report.groupings.find((x) => x.groupingId === g.id)?.available, 1);
    const list = (await (await get('/v1/groupings')).json()) as { groupings: { id: string }[] };
    assert.ok(list.groupings.some((x) => x.id === g.id));
  });

  it('refuses the same conjunction twice with 409', async () => {
    const res = await post('/v1/groupings', { ...good, name: 'another name', tags: ['cap:sms', 'npa:950'] });
    assert.equal(res.status, 409);
    assert.match((await errorOf(res)).detail, /cap:sms \+ npa:950/);
  });

  for (const [why, body, field, reason] of [
    ['an unknown dimension', { ...good, name: 'x1', tags: ['colour:red'] }, 'tags', /unknown dimension "colour"/],
    ['a malformed tag', { ...good, name: 'x2', tags: ['npa415'] }, 'tags', /./],
    ['two area codes at once', { ...good, name: 'x3', tags: ['npa:415', 'npa:212'] }, 'tags', /npa/],
    ['min above target', { ...good, name: 'x4', minAvailable: 9 }, 'minAvailable', /must not exceed targetAvailable/],
    ['a string for a number', { ...good, name: 'x5', maxAvailable: 'fifty' }, 'maxAvailable', /number/],
    ['a negative threshold', { ...good, name: 'x6', minAvailable: -1 }, 'minAvailable', />=/],
    ['an unknown field', { ...good, name: 'x7', colour: 'red' }, 'colour', /unknown field/],
    ['no tags', { ...good, name: 'x8', tags: [] }, 'tags', /./],
  ] as const) {
    it(`answers 400 naming the field for ${why}`, async () => {
      const res = await post('/v1/groupings', body);
      assert.equal(res.status, 400);
      const err = await errorOf(res);
      const issue = err.errors?.find((i) => i.field === field);
      assert.ok(issue, `no issue for ${field}: ${JSON.stringify(err)}`);
      assert.match(issue.reason, reason);
    });
  }

  it('changes a grouping and recounts it; 404 for an unknown one, 400 for a bad id', async () => {
    const created = (await (await post('/v1/groupings', { ...good, name: 'api 950 any', tags: ['npa:950', 'cap:voice'] })).json()) as { id: string };
    const changed = await post(`/v1/groupings/${created.id}`, { tags: ['npa:950'] }, 'PATCH');
    assert.equal(changed.status, 200);
    const report = (await (await get('/v1/inventory?window=1h')).json()) as { groupings: { groupingId: string; available: number }[] };
    assert.equal(report.groupings.find((x) => x.groupingId === created.id)?.available, 2);
    assert.equal((await post('/v1/groupings/7d444840-9dc0-11d1-b245-5ffdce74fad2', { name: 'y' }, 'PATCH')).status, 404);
    const bad = await post('/v1/groupings/not-a-uuid', { name: 'y' }, 'PATCH');
    assert.equal(bad.status, 400);
    assert.equal((await errorOf(bad)).errors?.[0]?.field, 'id');
    assert.equal((await get('/v1/inventory?window=forever')).status, 400);
  });

  it('needs an operator key: none is 401, a platform key 403, a made-up one 401', async () => {
    const none = await fetch(`${app.url}/v1/groupings`);
    assert.equal(none.status, 401);
    assert.match((await errorOf(none)).detail, /missing API key/);
    const platform = await fetch(`${app.url}/v1/groupings`, { headers: { authorization: `Bearer ${await apiKey('PLATFORM', ['acct-g'])}` } });
    assert.equal(platform.status, 403);
    assert.match((await errorOf(platform)).detail, /a platform key cannot do this \(needs operator\)/);
    const forged = await fetch(`${app.url}/v1/groupings`, { headers: { authorization: `Bearer ei_0123456789ab_${'x'.repeat(32)}` } });
    assert.equal(forged.status, 401);
  });

  it('check-now answers 503 with Retry-After while no monitor runs', async () => {
    const res = await post('/v1/inventory/check', {});
    assert.equal(res.status, 503);
    assert.ok(res.headers.get('retry-after'));
  });
});
