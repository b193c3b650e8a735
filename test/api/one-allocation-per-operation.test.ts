// One allocation operation allocates one endpoint, whatever order its updates
// land in. The fault suite saw a request's first `allocate` update to one
// number answered as refused while Temporal still held it; the request went on
// to claim another number, and the first update applied 13 s later: two numbers
// for one Idempotency-Key, one of them never acknowledged. Here the same
// update id (`<operation>:allocate`) is sent to two endpoints' workflows in
// every order — one after the other, both at once, and the late one after
// the criteria allocation answered — and exactly one endpoint ends ALLOCATED,
// the answer names that one, and the other stays on the shelf.
// Its numbers are in area code 272, which no other suite uses.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { lifecyclePolicy } from '../../src/config';
import { Conflict } from '../../src/domain/errors';
import { allocator } from '../../src/usecases/allocate';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { SHARED_TASK_QUEUE, apiKey, db, testConfig } from '../support/stack';

const NUMBERS = Array.from({ length: 10 }, (_, i) => `+1272555${String(1200 + i)}`);
const ACCOUNT = 'acct-one-per-op';

describe('one allocation operation, one endpoint (whatever order its updates land in)', function () {
  this.timeout(180_000);
  const taskQueue = SHARED_TASK_QUEUE;
  let parts: ApiStack;
  let client: Client;
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, QUARANTINE_NEW: '1s', QUARANTINE_AGING: '1s' });
  const input = { accountId: ACCOUNT, actor: `account:${ACCOUNT}` };

  const available = async (): Promise<string[]> =>
    (await db().endpoint.findMany({ where: { address: { in: NUMBERS }, state: 'AVAILABLE' }, select: { address: true } })).map((r) => r.address).sort();
  /** the endpoints this operation's allocate update made ALLOCATED, by their history */
  const allocatedBy = async (operation: string): Promise<string[]> =>
    (
      await db().endpointHistory.findMany({
        where: { operation: `${operation}:allocate`, toState: 'ALLOCATED' },
        select: { endpoint: { select: { address: true } } },
      })
    ).map((h) => h.endpoint.address);
  /** two numbers off the shelf, for one case */
  const twoAvailable = async (): Promise<[string, string]> => {
    const [a, b] = await available();
    assert.ok(a && b, 'the suite ran out of shelved numbers');
    return [a, b];
  };

  before(async () => {
    parts = await startApiStack(config());
    client = parts.client;
    await apiKey('PLATFORM', [ACCOUNT]);
    await ingestEndpoints(
      { db: db(), client, taskQueue, policy: lifecyclePolicy(config()) },
      NUMBERS.map((address) => ({ address, monthlyCostCents: 100 })),
      { entry: 'quarantine', actor: 'test' },
    );
    for (let i = 0; i < 300 && (await available()).length < NUMBERS.length; i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal((await available()).length, NUMBERS.length);
  });

  after(async () => {
    await parts.stop();
  });

  it('refuses the same allocate update on a second endpoint, leaving it on the shelf', async () => {
    const operation = randomUUID();
    const [first, second] = await twoAvailable();
    const got = await parts.gateway.endpoint(first).allocate(input, `${operation}:allocate`);
    assert.equal(got.state, 'ALLOCATED');
    await assert.rejects(parts.gateway.endpoint(second).allocate(input, `${operation}:allocate`), (err: unknown) => {
      assert.ok(err instanceof Conflict, String(err));
      assert.match((err as Error).message, new RegExp(`${operation}:allocate.*allocated ${first.replace('+', '\\+')}`));
      return true;
    });
    assert.deepEqual(await allocatedBy(operation), [first]);
    assert.equal((await parts.gateway.endpoint(second).state()).state, 'AVAILABLE');
    assert.ok((await available()).includes(second));
  });

  it('lets exactly one of two concurrent updates with the same id allocate', async () => {
    const operation = randomUUID();
    const pair = await twoAvailable();
    const results = await Promise.allSettled(pair.map((a) => parts.gateway.endpoint(a).allocate(input, `${operation}:allocate`)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results.map((r) => r.status)));
    const made = await allocatedBy(operation);
    assert.equal(made.length, 1);
    const other = pair.find((a) => a !== made[0])!;
    assert.equal((await parts.gateway.endpoint(other).state()).state, 'AVAILABLE');
  });

  it('answers a criteria allocation with the endpoint its operation allocated earlier, claiming no other', async () => {
    // the first attempt's update applied after the attempt had given up on it: the retry must answer that one
    const operation = randomUUID();
    const [early] = await twoAvailable();
    await parts.gateway.endpoint(early).allocate(input, `${operation}:allocate`);
    const before = await available();
    const answer = await allocator({ db: db(), temporal: parts.gateway, notify: () => undefined }).byCriteria({
      criteria: { npa: '272' },
      ...input,
      operation,
      resumable: true,
    });
    assert.equal(answer.address, early);
    assert.equal(answer.state, 'ALLOCATED');
    assert.deepEqual(await allocatedBy(operation), [early]);
    assert.deepEqual(await available(), before, 'no other number left the shelf');
  });

  it('a late update of an operation that already allocated another endpoint is refused when it lands', async () => {
    // the other order: the retry's number was allocated and answered; the first attempt's update lands afterwards
    const operation = randomUUID();
    const [answered, late] = await twoAvailable();
    const answer = await allocator({ db: db(), temporal: parts.gateway, notify: () => undefined }).byAddress({
      address: answered,
      ...input,
      operation,
    });
    assert.equal(answer.address, answered);
    await assert.rejects(parts.gateway.endpoint(late).allocate(input, `${operation}:allocate`), Conflict);
    assert.deepEqual(await allocatedBy(operation), [answered]);
    assert.equal((await parts.gateway.endpoint(late).state()).state, 'AVAILABLE');
  });
});
