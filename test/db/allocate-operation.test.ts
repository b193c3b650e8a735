// One allocation operation, one endpoint, in the transition itself
// (src/db/endpoints.ts transition): an allocate update's id may make one
// endpoint ALLOCATED. Two transitions with the same id racing — the other
// one's history row written but not yet committed — end with the second
// refused as a StaleTransition naming the first endpoint (never a raw unique
// violation, which the activity would retry without end), and its row untouched.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { transition } from '../../src/db/endpoints';
import { StaleTransition } from '../../src/domain/errors';
import { db, stack } from '../support/stack';

describe('transition: one allocation operation allocates one endpoint', function () {
  this.timeout(60_000);
  // area code 273 belongs to this file
  const FIRST = '+12735550100';
  const SECOND = '+12735550101';
  const ACCOUNT = 'acct-db-one-per-op';
  const ids: Record<string, string> = {};

  before(async () => {
    await db().account.upsert({ where: { id: ACCOUNT }, create: { id: ACCOUNT, name: ACCOUNT }, update: {} });
    for (const address of [FIRST, SECOND]) {
      const row = await db().endpoint.create({
        data: {
          address,
          kind: 'MOBILE',
          country: 'US',
          npa: '273',
          nxx: '555',
          line: address.slice(-4),
          digits: address.slice(2),
          state: 'AVAILABLE',
          version: 3,
        },
      });
      ids[address] = row.id;
    }
  });
  after(async () => {
    await db().endpoint.deleteMany({ where: { address: { in: [FIRST, SECOND] } } });
  });

  const allocate = (address: string, operation: string) =>
    transition(db(), {
      endpointId: ids[address]!,
      from: 'AVAILABLE',
      fromVersion: 3,
      to: 'ALLOCATED',
      cause: 'allocated',
      actor: `account:${ACCOUNT}`,
      operation,
      set: { accountId: ACCOUNT },
    });

  it('refuses the second of two racing transitions with the same allocate id, naming the first endpoint', async () => {
    const operation = `${randomUUID()}:allocate`;
    // another session is committing the same operation's allocation of FIRST
    const other = new Client({ connectionString: stack().databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`UPDATE endpoints SET state = 'ALLOCATED', version = 4, account_id = $2 WHERE id = $1`, [ids[FIRST], ACCOUNT]);
      await other.query(
        `INSERT INTO endpoint_history (endpoint_id, version, from_state, to_state, cause, actor, operation, account_id)
         VALUES ($1, 4, 'AVAILABLE', 'ALLOCATED', 'allocated', 'test', $2, $3)`,
        [ids[FIRST], operation, ACCOUNT],
      );
      // SECOND's transition passes the not-exists check (the row above is not committed) and waits on the index
      const second = allocate(SECOND, operation);
      const settled = second.then(
        () => 'written',
        (err: unknown) => err,
      );
      await new Promise((r) => setTimeout(r, 500));
      await other.query('COMMIT');
      const outcome = await settled;
      assert.ok(outcome instanceof StaleTransition, `expected StaleTransition, got ${String(outcome)}`);
      assert.match(outcome.message, new RegExp(`allocated \\${FIRST} already`));
    } finally {
      await other.end();
    }
    const row = await db().endpoint.findUniqueOrThrow({ where: { address: SECOND } });
    assert.equal(row.state, 'AVAILABLE');
    assert.equal(row.version, 3);
    assert.equal(await db().endpointHistory.count({ where: { endpointId: ids[SECOND] } }), 0);
  });

  it('still answers a retry of the same transition on the same endpoint as done', async () => {
    const operation = `${randomUUID()}:allocate`;
    await db().endpoint.update({ where: { address: SECOND }, data: { state: 'AVAILABLE', version: 3, accountId: null } });
    assert.deepEqual(await allocate(SECOND, operation), { version: 4 });
    // the worker died after the commit: its retry recognises its own transition
    assert.deepEqual(await allocate(SECOND, operation), { version: 4 });
  });
});
