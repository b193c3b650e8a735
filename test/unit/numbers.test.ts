import assert from 'node:assert/strict';
import { AddressError, isE164, parseAddress, tryParseAddress } from '../../src/domain/numbers';

// Asserts parseAddress rejects `input` with a reason matching `reason`.
function assertRejects(input: string, reason: RegExp, options?: { defaultCountry?: string }): void {
  assert.throws(
    () => parseAddress(input, options),
    (e: unknown) => {
      assert.ok(e instanceof AddressError, `expected AddressError, got ${String(e)}`);
      assert.match(e.reason, reason);
      return true;
    },
  );
}

describe('parseAddress', () => {
  describe('phone numbers', () => {
    it('parses a US geographic number (libphonenumber cannot tell US mobile from fixed)', () => {
      assert.deepEqual(parseAddress('+14155550123'), {
        address: '+14155550123',
        kind: 'FIXED_LINE_OR_MOBILE',
        country: 'US',
        npa: '415',
        nxx: '555',
        line: '0123',
        digits: '4155550123',
      });
    });

    it('parses a US toll-free number', () => {
      const p = parseAddress('+18002752273');
      assert.equal(p.kind, 'TOLL_FREE');
      assert.equal(p.country, 'US');
      assert.deepEqual([p.npa, p.nxx, p.line], ['800', '275', '2273']);
    });

    it('parses a US premium-rate number', () => {
      assert.equal(parseAddress('+19005550123').kind, 'PREMIUM_RATE');
    });

    it('assigns NANP numbers to their own country (CA)', () => {
      const p = parseAddress('+14165550123');
      assert.equal(p.country, 'CA');
      assert.equal(p.npa, '416');
    });

    it('parses a GB mobile number', () => {
      assert.deepEqual(parseAddress('+447400123456'), {
        address: '+447400123456',
        kind: 'MOBILE',
        country: 'GB',
        npa: '7400',
        nxx: null,
        line: null,
        digits: '7400123456',
      });
    });

    it('parses a GB fixed line with its area code', () => {
      const london = parseAddress('+442079460958');
      assert.equal(london.kind, 'FIXED_LINE');
      assert.equal(london.country, 'GB');
      assert.equal(london.npa, '20');
      assert.equal(london.nxx, null);
      assert.equal(london.line, null);
      assert.equal(london.digits, '2079460958');

      assert.equal(parseAddress('+441614960000').npa, '161'); // Manchester
    });

    it('reports Crown Dependency numbers under their own country, not GB', () => {
      const p = parseAddress('+447624123456');
      assert.equal(p.country, 'IM');
      assert.equal(p.kind, 'MOBILE');
    });

    it('includes the mobile token in an Argentine mobile NDC', () => {
      const p = parseAddress('+5491123456789');
      assert.equal(p.kind, 'MOBILE');
      assert.equal(p.npa, '911');
    });

    it('parses a non-geographic number with no country', () => {
      const p = parseAddress('+80012345678');
      assert.equal(p.kind, 'TOLL_FREE');
      assert.equal(p.country, null);
    });

    it('accepts punctuation and surrounding whitespace', () => {
      for (const input of ['+1 (415) 555-0123', ' +1 415.555.0123 ', '+1-415-555-0123']) {
        assert.equal(parseAddress(input).address, '+14155550123', input);
      }
      assert.equal(parseAddress('+44 (0) 20 7946 0958').address, '+442079460958');
    });

    it('accepts national format when a default country is given', () => {
      assert.equal(parseAddress('(415) 555-0123', { defaultCountry: 'US' }).address, '+14155550123');
      const p = parseAddress('020 7946 0958', { defaultCountry: 'gb' });
      assert.equal(p.address, '+442079460958');
      assert.equal(p.npa, '20');
    });

    it('lets an explicit + override the default country', () => {
      assert.equal(parseAddress('+1 415 555 0123', { defaultCountry: 'GB' }).country, 'US');
    });

    it('rejects national format without a default country', () => {
      assertRejects('(415) 555-0123', /default country/);
    });

    it('rejects an unknown default country', () => {
      assertRejects('+14155550123', /unknown default country ZZ/, { defaultCountry: 'ZZ' });
    });
  });

  describe('invalid phone numbers', () => {
    it('rejects numbers that are too short', () => {
      assertRejects('+1 2', /too short/);
      assertRejects('+1 415 555', /not a valid phone number for any country/);
    });

    it('rejects numbers that are too long', () => {
      assertRejects('+1 415 555 0123 9999', /not a valid phone number/);
    });

    it('rejects the unassigned 555 NPA', () => {
      assertRejects('+1 555 010 0123', /not a valid phone number for any country/);
    });

    it('names the country when it is known', () => {
      assertRejects('555 010 0123', /not a valid phone number for US/, { defaultCountry: 'US' });
    });

    it('rejects an unknown country calling code', () => {
      assertRejects('+999 123456', /unknown country calling code/);
    });

    it('rejects letters, extensions and surrounding text', () => {
      assertRejects('+1 415 555 CALL', /only digits/);
      assertRejects('+1-800-FLOWERS', /only digits/);
      assertRejects('+1 415 555 0123 ext 5', /only digits/);
      assertRejects('call +14155550123 now', /only digits/);
      assertRejects('+', /only digits/);
    });

    it('rejects an empty address', () => {
      assertRejects('  ', /address is empty/);
    });
  });

  describe('short codes', () => {
    it('parses <CC>:<digits>', () => {
      assert.deepEqual(parseAddress('US:12345'), {
        address: 'US:12345',
        kind: 'SHORT_CODE',
        country: 'US',
        npa: null,
        nxx: null,
        line: null,
        digits: '12345',
      });
      assert.equal(parseAddress('gb:60000').address, 'GB:60000');
      assert.equal(parseAddress('US:911').digits, '911');
      assert.equal(parseAddress('US:12345678').digits, '12345678');
    });

    it('parses bare digits as a short code in the default country', () => {
      const p = parseAddress('12345', { defaultCountry: 'US' });
      assert.equal(p.address, 'US:12345');
      assert.equal(p.kind, 'SHORT_CODE');
    });

    it('prefers a valid national number over a short code for bare digits', () => {
      // Singapore national numbers are 8 digits.
      const p = parseAddress('61234567', { defaultCountry: 'SG' });
      assert.equal(p.address, '+6561234567');
      assert.equal(p.kind, 'FIXED_LINE');
    });

    it('rejects short codes outside 3 to 8 digits', () => {
      assertRejects('US:12', /short codes are 3 to 8 digits/);
      assertRejects('US:123456789', /short codes are 3 to 8 digits/);
    });

    it('rejects an unknown country', () => {
      assertRejects('XX:12345', /unknown country XX/);
    });

    it('does not treat bare digits as a short code without a default country', () => {
      assertRejects('12345', /default country/);
    });
  });

  describe('SIP', () => {
    it('lower-cases scheme and host but keeps the user part', () => {
      assert.deepEqual(parseAddress('SIP:Alice@Example.COM'), {
        address: 'sip:Alice@example.com',
        kind: 'SIP',
        country: null,
        npa: null,
        nxx: null,
        line: null,
        digits: '',
      });
    });

    it('keeps sips: and a port', () => {
      assert.equal(parseAddress('sips:bob@PBX.example.org:5061').address, 'sips:bob@pbx.example.org:5061');
    });

    it('accepts IP hosts and telephone-number users', () => {
      assert.equal(parseAddress('sip:+14155550123@10.0.0.1').address, 'sip:+14155550123@10.0.0.1');
      assert.equal(parseAddress('sip:alice@[2001:DB8::1]').address, 'sip:alice@[2001:db8::1]');
    });

    it('rejects malformed SIP addresses', () => {
      for (const input of [
        'sip:alice',
        'sip:@example.com',
        'sip:alice@',
        'sip:alice@exa mple.com',
        'sip:alice@-example.com',
        'sip:alice@example..com',
        'sip:alice@example.com;transport=tls',
        'sip:alice:secret@example.com',
      ]) {
        assertRejects(input, /SIP address must look like sip:user@host/);
      }
      assertRejects('sip:alice@example.com:70000', /port/);
    });
  });
});

describe('tryParseAddress', () => {
  it('returns the parsed address on success', () => {
    const r = tryParseAddress('+1 (415) 555-0123');
    assert.ok(r.ok);
    assert.equal(r.value.address, '+14155550123');
  });

  it('passes options through', () => {
    const r = tryParseAddress('12345', { defaultCountry: 'US' });
    assert.ok(r.ok);
    assert.equal(r.value.address, 'US:12345');
  });

  it('returns the reason on failure instead of throwing', () => {
    assert.deepEqual(tryParseAddress('+1 555 010 0123'), {
      ok: false,
      reason: 'not a valid phone number for any country',
    });
    assert.deepEqual(tryParseAddress('sip:nobody'), {
      ok: false,
      reason: 'SIP address must look like sip:user@host',
    });
  });
});

describe('isE164', () => {
  it('accepts canonical E.164', () => {
    assert.ok(isE164('+14155550123'));
    assert.ok(isE164('+442079460958'));
  });

  it('rejects anything else', () => {
    for (const s of ['14155550123', '+1 415 555 0123', '+04155550123', '+1234567890123456', '+', 'US:12345']) {
      assert.ok(!isE164(s), s);
    }
  });

  it('agrees with parseAddress output', () => {
    assert.ok(isE164(parseAddress('020 7946 0958', { defaultCountry: 'GB' }).address));
  });
});
