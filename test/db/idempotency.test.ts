// An idempotency record keeps the operation its request performs (issue 14,
// scenario 8): a retry after a 5xx or after its API process died is the same
// operation (so it lands on the same workflow update); the key used again
// after the record expired is a new one, even with the same body.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createApiKey } from '../../src/usecases/keys';
import { completeKey, releaseKey, takeKey, type IdempotencyClaim } from '../../src/db/idempotency';
import { db } from '../support/stack';

describe('idempotency records: the operation a key performs', function () {
  let apiKeyId = '';
  const claim = (key: string, requestHash = 'h1'): IdempotencyClaim => ({
    apiKeyId,
    key,
    method: 'POST',
    path: '/v1/allocations',
    requestHash,
    expiresAt: new Date(Date.now() + 3_600_000),
    leaseMs: 30_000,
  });
  before(async () => {
    apiKeyId = (await createApiKey(db(), { name: 'idempotency test', scope: 'OPERATOR' })).id;
  });

  it('is kept across a 5xx (released) and a dead holder (lease expired), with the same body', async () => {
    const key = `k-${randomUUID()}`;
    const first = await takeKey(db(), claim(key));
    assert.ok(first);
    assert.equal(await takeKey(db(), claim(key)), undefined, 'held while its request runs');
    await releaseKey(db(), first); // the answer was a 503
    const retry = await takeKey(db(), claim(key));
    assert.equal(retry?.operationId, first.operationId, 'the retry after a 5xx is the same operation');
    // the API process died before it stored the answer: the lease runs out
    await db().idempotencyRecord.updateMany({ where: { apiKeyId, key }, data: { createdAt: new Date(Date.now() - 60_000) } });
    const afterDeath = await takeKey(db(), claim(key));
    assert.equal(afterDeath?.operationId, first.operationId, 'the retry after a dead holder is the same operation');
    await completeKey(db(), afterDeath, 201, { ok: true });
    assert.equal(await takeKey(db(), claim(key)), undefined, 'completed: answered from the record, not taken');
  });

  it('is new once the record expired, even with the same body; and after a 5xx with another body', async () => {
    const key = `k-${randomUUID()}`;
    const first = (await takeKey(db(), claim(key)))!;
    await completeKey(db(), first, 201, { ok: true });
    await db().idempotencyRecord.updateMany({ where: { apiKeyId, key }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const again = await takeKey(db(), claim(key));
    assert.ok(again);
    assert.notEqual(again.operationId, first.operationId, 'the same body after the TTL is another operation');
    await releaseKey(db(), again);
    const other = await takeKey(db(), claim(key, 'h2'));
    assert.ok(other);
    assert.notEqual(other.operationId, again.operationId, 'another body after a 5xx is another operation');
  });
});
