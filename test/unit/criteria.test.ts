// Criteria become classifier tags (src/domain/criteria.ts): one spelling,
// sorted; no criterion at all or a bad tag is a BadRequest naming the field.
import assert from 'node:assert/strict';
import { criteriaTags } from '../../src/domain/criteria';
import { BadRequest } from '../../src/domain/errors';

const refused = (field: string, message: RegExp) => (e: unknown) => {
  assert.ok(e instanceof BadRequest, `expected BadRequest, got ${String(e)}`);
  assert.match(e.message, message);
  assert.equal(e.issues[0]?.field, field);
  return true;
};

describe('criteriaTags', () => {
  it('turns each criterion into its tag, lowercased and sorted', () => {
    assert.deepEqual(criteriaTags({ country: 'US', npa: '206', nxx: '555', kind: 'mobile', capabilities: ['sms', 'voice'] }), [
      'cap:sms',
      'cap:voice',
      'country:us',
      'kind:mobile',
      'npa:206',
      'nxx:206555',
    ]);
  });

  it('takes given tags as they are, normalised and without duplicates', () => {
    assert.deepEqual(criteriaTags({ npa: '206', tags: [' NPA:206 ', 'vanity:repeated'] }), ['npa:206', 'vanity:repeated']);
  });

  it('reads nxx as the 3-digit exchange after the npa, and refuses it without one', () => {
    assert.deepEqual(criteriaTags({ npa: '415', nxx: '555' }), ['npa:415', 'nxx:415555']);
    assert.throws(() => criteriaTags({ nxx: '555' }), refused('criteria.nxx', /^criteria\.nxx: needs npa/));
  });

  it('turns a place into its tags: region, locality (named with its region or country), time zone', () => {
    assert.deepEqual(criteriaTags({ region: 'US-CA', locality: 'San Francisco', timeZone: 'America/Los_Angeles' }), [
      'locality:us-ca-san-francisco',
      'region:us-ca',
      'tz:america-los_angeles',
    ]);
    assert.deepEqual(criteriaTags({ country: 'GB', locality: 'London' }), ['country:gb', 'locality:gb-london']);
    assert.throws(() => criteriaTags({ locality: 'Springfield' }), refused('criteria.locality', /give region/));
    assert.throws(() => criteriaTags({ timeZone: 'Mars/Olympus_Mons' }), refused('criteria.timeZone', /no IANA time zone/));
  });

  it('refuses no criterion at all', () => {
    assert.throws(() => criteriaTags({}), refused('criteria', /^criteria: give at least one criterion$/));
    assert.throws(() => criteriaTags({ capabilities: [], tags: [] }), refused('criteria', /give at least one criterion/));
  });

  it('refuses a bad tag, naming criteria.tags and the reason', () => {
    assert.throws(() => criteriaTags({ tags: ['colour:blue'] }), refused('criteria.tags', /^criteria\.tags: unknown dimension "colour"/));
    assert.throws(() => criteriaTags({ tags: ['npa'] }), refused('criteria.tags', /expected dimension:value/));
  });
});
