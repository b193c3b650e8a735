import assert from 'node:assert/strict';
import { nextPortStatus, portStatus, settles } from '../../src/domain/ports';

describe('where a port request stands', () => {
  it('a port-in is under way while its number is PORTING_IN, then completed or rejected', () => {
    assert.equal(portStatus('IN', 'PORTING_IN'), 'IN_PROGRESS');
    assert.equal(portStatus('IN', 'ALLOCATED'), 'COMPLETED');
    assert.equal(portStatus('IN', 'TESTING'), 'COMPLETED');
    assert.equal(portStatus('IN', 'REJECTED'), 'REJECTED');
    assert.equal(portStatus('IN', 'RETURNED'), 'REJECTED');
  });

  it('a port-out is under way while PORTING_OUT and completed once PORTED_OUT; other states say nothing', () => {
    assert.equal(portStatus('OUT', 'PORTING_OUT'), 'IN_PROGRESS');
    assert.equal(portStatus('OUT', 'PORTED_OUT'), 'COMPLETED');
    assert.equal(portStatus('OUT', 'ALLOCATED'), null);
  });

  it('no endpoint yet: no status from it', () => {
    assert.equal(portStatus('IN', null), null);
    assert.equal(portStatus('OUT', null), null);
  });

  it('an open request follows its endpoint; one that ended stays as it ended', () => {
    assert.equal(nextPortStatus('IN_PROGRESS', 'IN', 'ALLOCATED'), 'COMPLETED');
    assert.equal(nextPortStatus('REQUESTED', 'IN', 'PORTING_IN'), 'IN_PROGRESS');
    assert.equal(nextPortStatus('IN_PROGRESS', 'IN', 'PORTING_IN'), null);
    assert.equal(nextPortStatus('COMPLETED', 'IN', 'REJECTED'), null);
    assert.equal(nextPortStatus('REJECTED', 'OUT', 'PORTED_OUT'), null);
    assert.ok(settles('COMPLETED') && settles('REJECTED') && !settles('IN_PROGRESS'));
  });
});
