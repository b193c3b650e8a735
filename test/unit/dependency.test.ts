import assert from 'node:assert/strict';
import { dependencyDown } from '../../src/dependency';

describe('dependencyDown (a dependency away is a 503, not a 500)', () => {
  it('recognises PostgreSQL closing the connection as Prisma reports it through the driver adapter', () => {
    // what the API logged when PostgreSQL restarted behind the fault suite's proxy (answered 500 before)
    const err = Object.assign(
      new Error('\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Server has closed the connection.`'),
      {
        name: 'PrismaClientKnownRequestError',
        code: 'P2010',
      },
    );
    assert.equal(dependencyDown(err), 'postgres');
    assert.equal(dependencyDown(new Error('server closed the connection unexpectedly')), 'postgres');
    assert.equal(dependencyDown(new Error('Connection terminated unexpectedly')), 'postgres');
  });

  it('leaves an ordinary bug alone', () => {
    assert.equal(dependencyDown(new TypeError("Cannot read properties of undefined (reading 'address')")), null);
  });
});
