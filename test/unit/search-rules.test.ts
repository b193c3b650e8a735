import assert from 'node:assert/strict';
import { BadRequest } from '../../src/domain/errors';
import { digitPattern, fixedDigits, nearPlace } from '../../src/domain/search';

describe('search rules', () => {
  describe('digitPattern', () => {
    it('maps letters to keypad digits and keeps digits and *', () => {
      assert.deepEqual(digitPattern('CALL', 4), { digits: '2255' });
      assert.deepEqual(digitPattern('55*1', 1), { digits: '55*1' });
    });

    it('refuses a pattern with nothing a keypad can dial', () => {
      assert.deepEqual(digitPattern('--', 1), { reason: 'digits, letters (phone keypad) or * only' });
    });

    it('counts only the fixed digits towards the minimum', () => {
      assert.deepEqual(digitPattern('12**', 4), { reason: 'at least 4 digits (shorter patterns match too much to search fast)' });
      assert.deepEqual(digitPattern('1*234', 4), { digits: '1*234' });
    });

    it('fixedDigits ignores wildcards and an absent pattern', () => {
      assert.equal(fixedDigits('1*2*3'), 3);
      assert.equal(fixedDigits(undefined), 0);
    });
  });

  describe('nearPlace', () => {
    it('splits a NANP number into area code, exchange and line', () => {
      assert.deepEqual(nearPlace('+14155550123'), { npa: '415', nxx: '555', line: 123 });
    });

    it('refuses a number outside the NANP', () => {
      assert.throws(
        () => nearPlace('+442079460958'),
        (e: unknown) => {
          assert.ok(e instanceof BadRequest);
          assert.equal(e.message, 'near: a NANP number (+1 and ten digits)');
          assert.deepEqual(e.issues, [{ field: 'near', reason: 'a NANP number (+1 and ten digits)' }]);
          return true;
        },
      );
    });

    it('refuses what is not an address, naming near', () => {
      assert.throws(
        () => nearPlace('not a number'),
        (e: unknown) => e instanceof BadRequest && e.issues[0]?.field === 'near',
      );
    });
  });
});
