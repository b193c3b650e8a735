// A deactivated account gets no new numbers, but a transition that keeps the
// holder a number has (a retest coming back) goes on, so the number can then
// be released by the account's deactivation.
import assert from 'node:assert/strict';
import { transition } from '../../src/db/endpoints';
import { deactivateAccount } from '../../src/db/accounts';
import { UnknownAccount } from '../../src/domain/errors';
import { db } from '../support/stack';

describe('transitions and a deactivated holder', () => {
  const ACCT = 'acct-db-deactivated';
  const ids: string[] = [];
  const row = async (address: string, state: 'TESTING' | 'AVAILABLE', accountId: string | null) => {
    const e = await db().endpoint.create({
      data: { address, kind: 'FIXED_LINE_OR_MOBILE', country: 'US', npa: '308', digits: address.slice(2), state, version: 3, accountId },
    });
    ids.push(e.id);
    return e.id;
  };
  before(async () => {
    await db().account.upsert({ where: { id: ACCT }, create: { id: ACCT, name: ACCT }, update: {} });
    await deactivateAccount(db(), ACCT, 86_400_000);
  });
  after(async () => {
    // rows without workflows would be drift for the final reconciliation
    await db().endpoint.deleteMany({ where: { id: { in: ids } } });
  });

  it('refuses a new holder that is deactivated, lets a kept holder come back from its retest', async () => {
    const available = await row('+13085550601', 'AVAILABLE', null);
    await assert.rejects(
      transition(db(), {
        endpointId: available,
        from: 'AVAILABLE',
        fromVersion: 3,
        to: 'ALLOCATED',
        cause: 'allocated',
        actor: 't',
        operation: 'op-a',
        set: { accountId: ACCT },
      }),
      UnknownAccount,
    );
    const retest = await row('+13085550602', 'TESTING', ACCT);
    const input = {
      endpointId: retest,
      from: 'TESTING' as const,
      fromVersion: 3,
      to: 'ALLOCATED' as const,
      cause: 'retested',
      actor: 't',
      operation: 'op-b',
      set: { accountId: ACCT },
    };
    assert.deepEqual(await transition(db(), input), { version: 4 });
    assert.deepEqual(await transition(db(), input), { version: 4 }, 'a retry of it is answered as applied');
    const after = await db().endpoint.findUniqueOrThrow({ where: { id: retest } });
    assert.deepEqual([after.state, after.accountId], ['ALLOCATED', ACCT]);
  });
});
