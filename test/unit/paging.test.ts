// Keyset page tokens: opaque, tied to their list, refused (naming pageToken) when forged or from another list.
import assert from 'node:assert/strict';
import { afterOf, page, pageToken } from '../../src/domain/paging';
import { BadRequest } from '../../src/domain/errors';

describe('page tokens', () => {
  it('carry the last key of a page for their own list only', () => {
    const token = pageToken('numbers:acct-1', '+14155550100');
    assert.equal(afterOf('numbers:acct-1', token), '+14155550100');
    assert.equal(afterOf('numbers:acct-1', undefined), undefined);
    for (const bad of [pageToken('numbers:acct-2', '+14155550100'), 'bm9wZQ', '%%%', pageToken('numbers:acct-1', '')]) {
      assert.throws(
        () => afterOf('numbers:acct-1', bad),
        (err: unknown) => err instanceof BadRequest && err.issues[0]?.field === 'pageToken',
      );
    }
  });

  it('a page read with limit + 1 says whether there is a next one', () => {
    assert.deepEqual(
      page('l', ['a', 'b'], 2, (x) => x),
      { items: ['a', 'b'], nextPageToken: null },
    );
    const more = page('l', ['a', 'b', 'c'], 2, (x) => x);
    assert.deepEqual(more.items, ['a', 'b']);
    assert.equal(afterOf('l', more.nextPageToken!), 'b');
  });
});
