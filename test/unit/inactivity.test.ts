// The inactivity policy's pure rules: when an idle period began, when it is
// due a notice, and what an open notice comes to.
import assert from 'node:assert/strict';
import { idleSince, inactiveEvent, inactivityOn, noticeDue, noticeVerdict, releaseAt } from '../../src/domain/inactivity';

const DAY = 24 * 3600_000;
const t = (day: number) => new Date(Date.UTC(2026, 11, 1) + day * DAY);
const policy = { notifyAfterMs: 10 * DAY, releaseAfterMs: 5 * DAY };

describe('inactivity policy rules', () => {
  it('an idle period begins at the later of the allocation and the last use', () => {
    assert.deepEqual(idleSince(t(0), null), t(0));
    assert.deepEqual(idleSince(t(0), t(3)), t(3));
    // a use before this holding's allocation (the same account's earlier holding) does not count
    assert.deepEqual(idleSince(t(5), t(3)), t(5));
  });

  it('is due a notice after N idle days; never when the policy is off', () => {
    assert.equal(noticeDue(policy, t(0), t(10).getTime() - 1), false);
    assert.equal(noticeDue(policy, t(0), t(10).getTime()), true);
    assert.equal(noticeDue({ ...policy, notifyAfterMs: 0 }, t(0), t(100).getTime()), false);
    assert.equal(inactivityOn({ ...policy, notifyAfterMs: 0 }), false);
    assert.deepEqual(releaseAt(policy, t(10).getTime()), t(15));
  });

  it('a use after the idle period began cancels the notice; released only when due and delivered (or no webhook)', () => {
    const n = { idleSince: t(0), releaseAt: t(15), sentAt: t(10) };
    assert.equal(noticeVerdict(n, null, t(14).getTime(), true), 'wait');
    assert.equal(noticeVerdict(n, null, t(15).getTime(), true), 'release');
    assert.equal(noticeVerdict(n, t(0), t(15).getTime(), true), 'release', 'the use that began the period is not a new one');
    assert.equal(noticeVerdict(n, t(12), t(15).getTime(), true), 'used');
    assert.equal(noticeVerdict(n, t(12), t(12).getTime(), true), 'used', 'cancelled before its release time too');
    const unsent = { ...n, sentAt: null };
    assert.equal(noticeVerdict(unsent, null, t(20).getTime(), true), 'wait', 'the platform was not told yet');
    assert.equal(noticeVerdict(unsent, null, t(20).getTime(), false), 'release', 'no webhook: logged and recorded only');
  });

  it('the webhook event names the notice, the holder and the release time', () => {
    const e = inactiveEvent({ id: 'n1', accountId: 'a', address: '+1', endpointId: 'e', idleSince: t(0), notifiedAt: t(10), releaseAt: t(15) });
    assert.deepEqual(e, {
      type: 'endpoint.inactive',
      noticeId: 'n1',
      accountId: 'a',
      address: '+1',
      endpointId: 'e',
      idleSince: t(0).toISOString(),
      notifiedAt: t(10).toISOString(),
      releaseAt: t(15).toISOString(),
    });
  });
});
