// The Twilio-compatible face's pure parts: sids (stable, per account, reversible
// where they must be), RFC 2822 dates, the filters' mapping onto the search
// use case's query, the error codes, and the one address-requirement rule.
import assert from 'node:assert/strict';
import { ZodError } from 'zod';
import { accountOfSid, accountSid, apiKeySid, endpointIdOfSid, friendlyNumber, phoneNumberSid, rfc2822 } from '../../src/domain/twilio';
import { addressRequirementFor } from '../../src/domain/address-requirements';
import { BadRequest, Conflict, NoneAvailable, NotFound } from '../../src/domain/errors';
import { SearchParams, searchQuery, twilioErrorOf } from '../../src/api/routes/twilio/mapping';

const ENDPOINT = '0b7c3f8e-2d1a-4c5b-9e6f-7a8b9c0d1e2f';

describe('Twilio face: sids, dates, filters, errors', () => {
  it('derives sids: AC per account (found again among a key’s accounts), SK per key, PN per holding and back', () => {
    const ac = accountSid('acct-demo-1');
    assert.match(ac, /^AC[0-9a-f]{32}$/);
    assert.equal(accountSid('acct-demo-1'), ac);
    assert.notEqual(accountSid('acct-demo-2'), ac);
    assert.equal(accountOfSid(ac, ['acct-x', 'acct-demo-1']), 'acct-demo-1');
    assert.equal(accountOfSid(ac.toUpperCase().replace(/^AC/, 'AC'), ['acct-demo-1']), 'acct-demo-1');
    assert.equal(accountOfSid(ac, ['acct-demo-2']), undefined);
    assert.equal(apiKeySid(ENDPOINT), 'SK0b7c3f8e2d1a4c5b9e6f7a8b9c0d1e2f');
    const pn = phoneNumberSid(ENDPOINT, 'acct-demo-1');
    assert.match(pn, /^PN[0-9a-f]{32}$/);
    assert.equal(pn.length, 34);
    assert.notEqual(phoneNumberSid(ENDPOINT, 'acct-demo-2'), pn, 'another account’s holding of the number is another sid');
    assert.equal(endpointIdOfSid(pn, 'acct-demo-1'), ENDPOINT);
    assert.notEqual(endpointIdOfSid(pn, 'acct-demo-2'), ENDPOINT);
    assert.equal(endpointIdOfSid('PN123', 'acct-demo-1'), undefined);
    assert.equal(endpointIdOfSid(`CA${'0'.repeat(32)}`, 'acct-demo-1'), undefined);
  });

  it('writes RFC 2822 dates in UTC and NANP numbers as people read them', () => {
    assert.equal(rfc2822(new Date('2026-12-01T09:05:03.120Z')), 'Tue, 01 Dec 2026 09:05:03 +0000');
    assert.equal(friendlyNumber('+14155550100'), '(415) 555-0100');
    assert.equal(friendlyNumber('+442071838750'), '+442071838750');
  });

  it('puts a country rule’s address requirement in Twilio’s words: an address in the number’s country is `local`', () => {
    assert.equal(addressRequirementFor(true), 'local');
    assert.equal(addressRequirementFor(false), 'none');
  });

  it('maps Twilio’s filters onto the search use case’s query', () => {
    const q = (p: Record<string, string>, type: 'Local' | 'Mobile' | 'TollFree' = 'Local') => searchQuery('US', type, SearchParams.parse(p));
    assert.deepEqual(q({ AreaCode: '415' }).kinds, ['FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);
    assert.deepEqual(q({}, 'TollFree').kinds, ['TOLL_FREE']);
    const caps = q({ SmsEnabled: 'true', VoiceEnabled: 'true', MmsEnabled: 'false', FaxEnabled: 'False' });
    assert.equal(caps.capabilities, 'voice,sms');
    assert.deepEqual(caps.lacking, ['mms', 'fax']);
    assert.deepEqual([q({ Contains: 'STORM' }).contains, q({ Contains: 'STORM' }).startsWith], ['STORM', undefined]);
    assert.equal(q({ Contains: '510555****' }).startsWith, '510555****');
    assert.equal(q({ Contains: '+1415***' }).startsWith, '415***');
    assert.throws(() => q({ Contains: '+44207' }), BadRequest);
    const near = q({ NearLatLong: '37.77,-122.42', Distance: '10' });
    assert.deepEqual(near.nearLatLong, { latitude: 37.77, longitude: -122.42 });
    assert.ok(Math.abs(near.distanceKm! - 16.09344) < 1e-9);
    assert.ok(Math.abs(q({ NearNumber: '+14155550100' }).distanceKm! - 25 * 1.609344) < 1e-9, 'Twilio’s default: 25 miles');
    assert.equal(q({}).distanceKm, undefined);
    const place = q({ InRegion: 'CA', InLocality: 'Vallejo', InPostalCode: '94590', InRateCenter: 'VALLEJO', InLata: '722' });
    assert.deepEqual([place.region, place.locality, place.postalCode, place.rateCenter, place.lata], ['us-ca', 'Vallejo', '94590', 'VALLEJO', '722']);
    assert.equal(q({ PageSize: '1000' }).limit, 100);
    assert.throws(() => SearchParams.parse({ AreaCode: '41' }), ZodError);
    assert.throws(() => SearchParams.parse({ InTimeZone: 'x' }), ZodError);
  });

  it('gives each error Twilio’s code and status', () => {
    const code = (err: unknown, purchase = false) => {
      const e = twilioErrorOf(err, purchase);
      return e && [e.status, e.code];
    };
    assert.deepEqual(code(BadRequest.field('address', 'not a number'), true), [400, 21421]);
    assert.deepEqual(code(BadRequest.field('criteria.npa', 'bad')), [400, 21451]);
    assert.deepEqual(code(BadRequest.field('contains', 'too short')), [400, 21502]);
    assert.deepEqual(code(new Conflict('address: +14155550100 is not available'), true), [400, 21422]);
    assert.deepEqual(code(new NotFound('no endpoint'), true), [400, 21422]);
    assert.deepEqual(code(new NotFound('no number')), [404, 20404]);
    assert.deepEqual(code(new NoneAvailable(['npa:415'])), [400, 21452]);
    const zod = (() => {
      try {
        SearchParams.parse({ Distance: 'far' });
      } catch (e) {
        return e;
      }
    })();
    assert.deepEqual(code(zod), [400, 21502]);
    assert.match(twilioErrorOf(zod, false)!.message, /^Distance: /);
    assert.equal(twilioErrorOf(new Error('boom'), false), undefined);
  });
});
