// Search attributes at worker start: the missing ones registered; where the
// cluster refuses (Temporal Cloud's operator API), a warning naming each
// attribute and its type, and the worker goes on.
import assert from 'node:assert/strict';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import { SEARCH_ATTRIBUTE_NAMES } from '../../workflows/shared';

type OperatorService = Parameters<typeof ensureSearchAttributes>[0]['operatorService'];

function fakeOperator(existing: string[], add: (req: { searchAttributes?: Record<string, unknown> | null }) => Promise<object>): OperatorService {
  return {
    listSearchAttributes: () => Promise.resolve({ customAttributes: Object.fromEntries(existing.map((n) => [n, 2])) }),
    addSearchAttributes: add,
  } as unknown as OperatorService;
}

describe('search attributes at start', () => {
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(`info ${l}`), warn: (l: string) => lines.push(`warn ${l}`) };
  beforeEach(() => (lines.length = 0));

  it('registers only the missing ones, as Keyword', async () => {
    let added: Record<string, unknown> = {};
    const op = fakeOperator(['EndpointNumber', 'EndpointState'], (req) => {
      added = req.searchAttributes ?? {};
      return Promise.resolve({});
    });
    const result = await ensureSearchAttributes({ operatorService: op }, 'default', log);
    assert.deepEqual(result.present, ['EndpointNumber', 'EndpointState']);
    assert.deepEqual(Object.keys(added).sort(), SEARCH_ATTRIBUTE_NAMES.filter((n) => !['EndpointNumber', 'EndpointState'].includes(n)).sort());
    assert.ok(Object.values(added).every((t) => t === 2)); // INDEXED_VALUE_TYPE_KEYWORD
    assert.match(lines[0]!, /^info search attributes registered in namespace default: EndpointCountry \(Keyword\)/);
  });

  it('where registration is refused, names each attribute and its type to register, and does not throw', async () => {
    const op = fakeOperator([], () => Promise.reject(new Error('7 PERMISSION_DENIED: Request unauthorized.')));
    const result = await ensureSearchAttributes({ operatorService: op }, 'prod.acct', log);
    assert.equal(result.refused?.attributes.length, SEARCH_ATTRIBUTE_NAMES.length);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^warn could not register search attributes in namespace prod\.acct \(7 PERMISSION_DENIED: Request unauthorized\.\)/);
    for (const name of SEARCH_ATTRIBUTE_NAMES) assert.ok(lines[0]!.includes(`${name} (Keyword)`), name);
    assert.match(lines[0]!, /tcld namespace search-attributes add/);
  });

  it('nothing to do when all are there', async () => {
    const op = fakeOperator(SEARCH_ATTRIBUTE_NAMES, () => assert.fail('added again'));
    assert.deepEqual((await ensureSearchAttributes({ operatorService: op }, 'default', log)).registered, []);
    assert.deepEqual(lines, []);
  });
});
