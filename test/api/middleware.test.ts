// What every request goes through: its request id, the per-key rate limit,
// Idempotency-Key on POSTs, and the Prometheus metrics it leaves behind.
import assert from 'node:assert/strict';
import { buildApp } from '../../src/api/app';
import { createApiKey } from '../../src/usecases/keys';
import { requestHash } from '../../src/api/middleware/idempotency';
import { TemporalGateway } from '../../src/temporal/gateway';
import { serve } from '../support/http';
import { apiKey, db, stack, testConfig, testLog } from '../support/stack';

interface ErrorBody {
  code: string;
  detail: string;
  requestId?: string;
}

describe('API: request ids, rate limits, idempotency, metrics', function () {
  this.timeout(30_000);
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let operator = '';
  const providerIds: string[] = [];
  const post = (path: string, body: unknown, key: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify(body),
    });
  const provider = (id: string, extra: Record<string, unknown> = {}) => {
    providerIds.push(id);
    return { id, name: `Carrier ${id}`, kind: 'manual', contactEmail: 'orders@example.com', ...extra };
  };

  before(async () => {
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: testConfig() }));
    operator = await apiKey('OPERATOR');
  });
  after(async () => {
    await db().provider.deleteMany({ where: { id: { in: providerIds } } });
    await app.close();
    await gateway.close();
  });

  it('answers with the caller’s X-Request-Id, or a new one, also inside error bodies', async () => {
    const given = await fetch(`${app.url}/v1/groupings`, { headers: { 'x-request-id': 'trace-abc.123' } });
    assert.equal(given.status, 401);
    assert.equal(given.headers.get('x-request-id'), 'trace-abc.123');
    assert.equal(((await given.json()) as ErrorBody).requestId, 'trace-abc.123');
    const fresh = await fetch(`${app.url}/health`, { headers: { 'x-request-id': 'not ok; {"id": 1}' } });
    assert.match(fresh.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'an unusable id is replaced');
  });

  it('limits requests per key: the fourth of a 3/minute key is a 429 with Retry-After; other keys go on', async () => {
    const { key } = await createApiKey(db(), { name: 'slow key', scope: 'OPERATOR', rateLimit: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${app.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await fetch(`${app.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('ratelimit-limit'), '3');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(((await limited.json()) as ErrorBody).code, 'rate_limited');
    assert.equal((await fetch(`${app.url}/v1/providers`, { headers: { authorization: `Bearer ${operator}` } })).status, 200);
  });

  it('Idempotency-Key: the same key and body get the first answer and nothing runs twice; another body is a 422', async () => {
    const body = provider('idem-carrier');
    const first = await post('/v1/providers', body, operator, { 'idempotency-key': 'create-idem-carrier' });
    assert.equal(first.status, 201);
    const firstBody = await first.json();
    // the same content with its fields in another order is the same request
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await post('/v1/providers', reordered, operator, { 'idempotency-key': 'create-idem-carrier' });
    assert.equal(again.status, 201, 'the first answer, not "exists already"');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), firstBody);
    assert.equal(await db().provider.count({ where: { id: 'idem-carrier' } }), 1);

    const other = await post('/v1/providers', { ...body, name: 'Another name' }, operator, { 'idempotency-key': 'create-idem-carrier' });
    assert.equal(other.status, 422);
    assert.match(((await other.json()) as ErrorBody).detail, /Idempotency-Key: already used for another request/);
    // without the key the same body is simply a second request: the provider exists
    assert.equal((await post('/v1/providers', body, operator)).status, 409);
    // a refusal kept for a key is replayed as the problem it was
    const refusedOnce = await post('/v1/providers', body, operator, { 'idempotency-key': 'create-idem-carrier-again' });
    assert.equal(refusedOnce.status, 409);
    const refusedBody = await refusedOnce.json();
    const replayedRefusal = await post('/v1/providers', body, operator, { 'idempotency-key': 'create-idem-carrier-again' });
    assert.equal(replayedRefusal.status, 409);
    assert.equal(replayedRefusal.headers.get('idempotent-replayed'), 'true');
    assert.match(replayedRefusal.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.deepEqual(await replayedRefusal.json(), refusedBody);
    // keys are per API key: another operator key's same key is its own
    const second = await createApiKey(db(), { name: 'second operator', scope: 'OPERATOR' });
    assert.equal((await post('/v1/providers', body, second.key, { 'idempotency-key': 'create-idem-carrier' })).status, 409);
  });

  it('Idempotency-Key: a duplicate while the first still runs is a 409; an expired record lets the request run again', async () => {
    const { id: keyId, key } = await createApiKey(db(), { name: 'idem key', scope: 'OPERATOR' });
    const body = provider('idem-running');
    // the first request is "still running": its record holds the key
    await db().idempotencyRecord.create({
      data: {
        apiKeyId: keyId,
        key: 'k-running',
        method: 'POST',
        path: '/v1/providers',
        requestHash: requestHash('POST', '/v1/providers', body),
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    const dup = await post('/v1/providers', body, key, { 'idempotency-key': 'k-running' });
    assert.equal(dup.status, 409);
    assert.equal(((await dup.json()) as ErrorBody).code, 'idempotency_in_progress');
    assert.equal(dup.headers.get('retry-after'), '1');
    assert.equal(await db().provider.count({ where: { id: 'idem-running' } }), 0, 'nothing ran');

    await db().idempotencyRecord.update({ where: { apiKeyId_key: { apiKeyId: keyId, key: 'k-running' } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    assert.equal((await post('/v1/providers', body, key, { 'idempotency-key': 'k-running' })).status, 201);
    const rec = await db().idempotencyRecord.findUniqueOrThrow({ where: { apiKeyId_key: { apiKeyId: keyId, key: 'k-running' } } });
    assert.equal(rec.status, 'COMPLETED');
    assert.equal(rec.responseStatus, 201);

    const bad = await post('/v1/providers', body, key, { 'idempotency-key': 'x'.repeat(300) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as ErrorBody).detail, /^Idempotency-Key: /);
  });

  it('exposes Prometheus metrics: request latencies by route, inventory per grouping, orders by status, workflows in error', async () => {
    const g = await db().classificationGrouping.create({
      data: { name: 'metrics grouping', tags: ['npa:999'], key: 'npa:999', minAvailable: 1, targetAvailable: 2, maxAvailable: 3 },
    });
    await db().endpoint.create({ data: { address: '+19995550100', kind: 'FIXED_LINE', npa: '999', state: 'AVAILABLE', classifierTags: ['npa:999'] } });
    try {
      await fetch(`${app.url}/v1/providers`, { headers: { authorization: `Bearer ${operator}` } });
      const res = await fetch(`${app.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      const text = await res.text();
      assert.match(text, /endpoint_inventory_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/providers",status="200"\}/);
      // labelled with the grouping's id (stable), its name on the info series alone
      assert.match(text, new RegExp(`endpoint_inventory_grouping_endpoints\\{grouping="${g.id}",state="AVAILABLE"\\} 1`));
      assert.match(text, new RegExp(`endpoint_inventory_grouping_minimum\\{grouping="${g.id}"\\} 1`));
      assert.match(text, new RegExp(`endpoint_inventory_grouping_info\\{grouping="${g.id}",name="metrics grouping"\\} 1`));
      assert.doesNotMatch(text, /endpoint_inventory_grouping_(endpoints|minimum)\{grouping="metrics grouping"/);
      assert.match(text, /endpoint_inventory_workflows_in_error\{status="Failed",type="endpointWorkflow"\} 0/);
      assert.match(text, /# TYPE endpoint_inventory_orders gauge/);
      assert.match(text, /endpoint_inventory_rate_limited_total [1-9]/);
      assert.match(text, /endpoint_inventory_idempotent_replays_total [1-9]/);
    } finally {
      await db().endpoint.deleteMany({ where: { npa: '999' } });
      await db().classificationGrouping.delete({ where: { id: g.id } });
    }
  });
});
