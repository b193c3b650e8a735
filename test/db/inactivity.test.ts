// The inactivity policy's sweep against PostgreSQL, with a recording stand-in
// for the endpoint workflows' `release` update: the holding counts from its
// allocation (a retest coming back does not restart it), a use moves the idle
// period, a sweep repeated (or retried) writes no second notice, and a notice
// whose number was re-allocated since — even to the same holder — is closed,
// never released.
import assert from 'node:assert/strict';
import { transition } from '../../src/db/endpoints';
import { idleHoldings, noticesOf } from '../../src/db/inactivity';
import { addUsage } from '../../src/db/usage';
import type { EndpointStateName } from '../../src/domain/endpoint';
import { Conflict } from '../../src/domain/errors';
import type { TemporalGateway } from '../../src/temporal/gateway';
import { sweepInactivity, type InactivityDeps } from '../../src/usecases/inactivity';
import { insight } from '../../src/usecases/insight';
import type { Caller } from '../../src/domain/access';
import { db, testLog } from '../support/stack';

const DAY = 24 * 3600_000;
const ACCT = 'acct-db-idle';
const OTHER = 'acct-db-idle-other';

describe('inactivity sweep (PostgreSQL)', () => {
  const ids: string[] = [];
  const releases: { address: string; updateId: string; actor?: string; reason?: string }[] = [];
  const temporal = {
    endpoint: (address: string) => ({
      release: (input: { accountId: string; actor?: string; reason?: string }, updateId: string) => {
        // another suite's numbers (the database is shared) are left alone: refused, their notices stay open
        if (!address.startsWith('+1309555070') && !address.startsWith('+1309555071')) return Promise.reject(new Conflict("not this suite's"));
        releases.push({ address, updateId, actor: input.actor, reason: input.reason });
        return Promise.resolve({});
      },
    }),
  } as unknown as TemporalGateway;
  // the whole test database's holdings in one sweep: other suites' older idle numbers must not crowd this suite's out of a batch
  const deps = (): InactivityDeps => ({
    db: db(),
    temporal,
    log: testLog,
    policy: { notifyAfterMs: 10 * DAY, releaseAfterMs: 5 * DAY },
    batch: 100_000,
  });

  const version = 1;
  const moves = new Map<string, number>();
  const move = async (id: string, from: EndpointStateName, to: EndpointStateName, accountId: string | null) => {
    const v = moves.get(id)!;
    await transition(db(), { endpointId: id, from, fromVersion: v, to, cause: 't', actor: 't', operation: `op-${id}-${v}`, set: { accountId } });
    moves.set(id, v + 1);
  };
  const allocated = async (address: string) => {
    const e = await db().endpoint.create({
      data: { address, kind: 'FIXED_LINE_OR_MOBILE', country: 'US', npa: '309', digits: address.slice(2), state: 'AVAILABLE', version },
    });
    ids.push(e.id);
    moves.set(e.id, version);
    await move(e.id, 'AVAILABLE', 'ALLOCATED', ACCT);
    return e.id;
  };

  before(async () => {
    for (const id of [ACCT, OTHER]) await db().account.upsert({ where: { id }, create: { id, name: id }, update: {} });
  });
  after(async () => {
    // rows without workflows would be drift for the final reconciliation
    // with the notices its sweeps wrote for other suites' numbers (dated days ahead)
    await db().inactivityNotice.deleteMany({ where: { OR: [{ endpointId: { in: ids } }, { notifiedAt: { gt: new Date(Date.now() + DAY) } }] } });
    await db().endpoint.deleteMany({ where: { id: { in: ids } } });
  });

  it('counts from the allocation (not a retest), from the last use when later, and notices an idle period once', async () => {
    const retested = await allocated('+13095550701');
    const first = await db().endpointHistory.findFirstOrThrow({ where: { endpointId: retested, toState: 'ALLOCATED' } });
    await move(retested, 'ALLOCATED', 'TESTING', ACCT);
    await move(retested, 'TESTING', 'ALLOCATED', ACCT);
    const used = await allocated('+13095550702');
    const lastUse = new Date(Date.now() + 3 * DAY);
    await addUsage(db(), [
      {
        endpointId: used,
        accountId: ACCT,
        day: lastUse.toISOString().slice(0, 10),
        lookups: 1,
        callsIn: 0,
        callsOut: 0,
        messagesIn: 0,
        messagesOut: 0,
        lastUsedAt: lastUse,
      },
    ]);

    const now = Date.now() + 11 * DAY;
    const due = (await idleHoldings(db(), new Date(now - 10 * DAY), 1000)).filter((h) => ids.includes(h.endpointId));
    assert.deepEqual(
      due.map((h) => [h.endpointId, h.holdingVersion, h.idleSince.getTime()]),
      [[retested, first.version, first.at.getTime()]],
      'the retested one counts from its allocation; the used one is idle for 8 days only',
    );

    const sweep = await sweepInactivity(deps(), now);
    assert.ok(sweep.noticed.includes('+13095550701') && !sweep.noticed.includes('+13095550702'));
    const again = await sweepInactivity(deps(), now + DAY);
    assert.ok(!again.noticed.includes('+13095550701'), 'a second sweep writes no second notice');
    assert.equal((await noticesOf(db(), retested)).length, 1);
    // the used one's period began at its use: due 10 days after it
    const later = await sweepInactivity(deps(), lastUse.getTime() + 10 * DAY + 1000);
    assert.ok(later.noticed.includes('+13095550702'));
  });

  it('releases a notice due and still unused once (the notice is the update id); a re-allocated number is closed, not released', async () => {
    const idle = await allocated('+13095550711');
    const reallocated = await allocated('+13095550712');
    const taken = await allocated('+13095550713');
    const now = Date.now() + 11 * DAY;
    await sweepInactivity(deps(), now);
    const [notice] = await noticesOf(db(), idle);
    assert.ok(notice);

    // released and given back to the same holder meanwhile (another holding); and one now another account's
    await move(reallocated, 'ALLOCATED', 'AGING', null);
    await move(reallocated, 'AGING', 'AVAILABLE', null);
    await move(reallocated, 'AVAILABLE', 'ALLOCATED', ACCT);
    await move(taken, 'ALLOCATED', 'AGING', null);
    await move(taken, 'AGING', 'AVAILABLE', null);
    await move(taken, 'AVAILABLE', 'ALLOCATED', OTHER);

    releases.length = 0;
    const before = await sweepInactivity(deps(), now + 4 * DAY);
    assert.deepEqual(
      before.released.filter((a) => a.startsWith('+1309555071')),
      [],
      'not before its release time',
    );
    // closed as soon as a sweep sees the holding changed (and the new holdings, idle too, get notices of their own)
    assert.ok(before.moved.includes('+13095550712') && before.moved.includes('+13095550713'), JSON.stringify(before));
    const sweep = await sweepInactivity(deps(), now + 5 * DAY);
    assert.deepEqual(
      releases.filter((r) => r.address.startsWith('+1309555071')),
      [
        {
          address: '+13095550711',
          updateId: `inactivity:${notice.id}:release`,
          actor: 'policy:inactivity',
          reason: `inactivity: unused since ${notice.idleSince.toISOString()}`,
        },
      ],
    );
    assert.ok(sweep.released.includes('+13095550711') && !sweep.released.includes('+13095550712') && !sweep.released.includes('+13095550713'));
    assert.equal((await noticesOf(db(), idle))[0]!.outcome, 'released');
    for (const id of [reallocated, taken]) assert.equal((await noticesOf(db(), id)).at(-1)!.outcome, 'moved');
    await sweepInactivity(deps(), now + 6 * DAY);
    assert.equal(releases.filter((r) => r.address === '+13095550711').length, 1, 'never released twice');

    // insight shows them: an operator every holder's, a platform key its own accounts' only
    const caller = (scope: 'OPERATOR' | 'PLATFORM', accountIds: string[]) =>
      ({ keyId: 'k', name: 'k', scope, accountIds, providerId: null, rateLimit: null }) as Caller;
    const byOperator = await insight({ db: db() }, caller('OPERATOR', []), '+13095550713');
    assert.deepEqual(
      byOperator.inactivityNotices.map((n) => [n.accountId, n.outcome]),
      [
        [OTHER, null],
        [ACCT, 'moved'],
      ],
    );
    const byHolder = await insight({ db: db() }, caller('PLATFORM', [OTHER]), '+13095550713');
    assert.deepEqual(
      byHolder.inactivityNotices.map((n) => n.accountId),
      [OTHER],
      "the earlier holder's notice is not the new holder's business",
    );
  });
});
