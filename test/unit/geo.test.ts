// The place of a number from the shipped place data (src/domain/geo.ts) and
// the place tags it gives.
import assert from 'node:assert/strict';
import { boundingBox, distanceKm, geoStatus, localityPoint, placeOf, slug, tzTagValue } from '../../src/domain/geo';
import { inherentTags, validateGrouping } from '../../src/domain/classification';
import { parseAddress } from '../../src/domain/numbers';
import { mismatch } from '../../src/domain/delivery';

const SAN_FRANCISCO = { latitude: 37.7749, longitude: -122.4194 };

describe('geography of a number (geo data)', () => {
  it('places a San Francisco number: region us-ca, locality San Francisco, its time zone, coordinates near the city', () => {
    const p = placeOf(parseAddress('+14155550123'));
    assert.equal(p.region, 'us-ca');
    assert.equal(p.locality, 'San Francisco');
    assert.equal(p.timeZone, 'America/Los_Angeles');
    assert.ok(p.latitude !== null && p.longitude !== null);
    const km = distanceKm(SAN_FRANCISCO, { latitude: p.latitude, longitude: p.longitude });
    assert.ok(km < 10, `${km} km from the city centre`);
    assert.equal(geoStatus(p), 'known');
  });

  it('leaves a number the data cannot place unknown: every field null, no guess', () => {
    for (const address of ['+18005550123', '+447400123456', 'US:12345', 'sip:alice@example.com']) {
      const p = placeOf(parseAddress(address));
      assert.deepEqual(p, { place: null, region: null, locality: null, timeZone: null, latitude: null, longitude: null, postalCode: null }, address);
      assert.equal(geoStatus(p), 'unknown');
      assert.ok(!inherentTags(parseAddress(address), p).some((t) => /^(region|locality|tz):/.test(t)), address);
    }
  });

  it('gives a region alone when the data names only the state or province (no invented town, no point)', () => {
    const on = placeOf(parseAddress('+16475550123'));
    assert.deepEqual([on.region, on.locality, on.latitude, on.timeZone], ['ca-on', null, null, 'America/Toronto']);
    assert.equal(placeOf(parseAddress('+12023334444')).region, 'us-dc');
  });

  it('places a New York number in Manhattan, not on Long Island (median of its ZIP codes)', () => {
    const ny = placeOf(parseAddress('+12125550123'));
    assert.equal(ny.region, 'us-ny');
    assert.ok(distanceKm({ latitude: 40.7831, longitude: -73.9712 }, { latitude: ny.latitude!, longitude: ny.longitude! }) < 10);
  });

  it('gives a postal code only when the locality has exactly one', () => {
    assert.equal(placeOf(parseAddress('+14155550123')).postalCode, null); // San Francisco has dozens
    assert.equal(placeOf(parseAddress('+15855990002')).postalCode, '14036'); // Corfu, NY
  });

  it('outside North America: a town the gazetteer knows, with no region', () => {
    const london = placeOf(parseAddress('+442079460958'));
    assert.deepEqual([london.region, london.locality, london.timeZone], [null, 'London', 'Europe/London']);
    assert.ok(distanceKm({ latitude: 51.5074, longitude: -0.1278 }, { latitude: london.latitude!, longitude: london.longitude! }) < 5);
  });

  it('tags region, locality (with its region) and time zone; groupings on them validate', () => {
    const p = parseAddress('+14155550123');
    const tags = inherentTags(p, placeOf(p));
    for (const t of ['region:us-ca', 'locality:us-ca-san-francisco', 'tz:america-los_angeles']) assert.ok(tags.includes(t), t);
    assert.deepEqual(
      inherentTags(parseAddress('+442079460958'), placeOf(parseAddress('+442079460958'))).filter((t) => t.startsWith('locality:')),
      ['locality:gb-london'],
    );
    assert.deepEqual(validateGrouping(['region:us-ca', 'cap:sms']), { ok: true, tags: ['cap:sms', 'region:us-ca'] });
    const bad = validateGrouping(['region:california']);
    assert.ok(!bad.ok && /ISO 3166-2/.test(bad.reason));
    const clash = validateGrouping(['region:us-ca', 'region:us-ny']);
    assert.ok(!clash.ok && /can never both match/.test(clash.reason));
    const sip = validateGrouping(['kind:sip', 'tz:america-los_angeles']);
    assert.ok(!sip.ok && /no tz/.test(sip.reason));
  });

  it('a delivered number fits an order line asking for its region, and not one asking for another', () => {
    const p = parseAddress('+14155550123');
    const line = (tags: string[]) => ({ tags, country: 'US', npa: null, kind: null });
    assert.equal(mismatch(p, line(['region:us-ca'])), null);
    assert.match(mismatch(p, line(['region:us-ny'])) ?? '', /lacks region:us-ny/);
  });

  it('spells tag values and measures distance', () => {
    assert.equal(slug('Saint-Jérôme'), 'saint-jerome');
    assert.equal(tzTagValue('America/Argentina/Buenos_Aires'), 'america-argentina-buenos_aires');
    const la = { latitude: 34.0522, longitude: -118.2437 };
    assert.ok(Math.abs(distanceKm(SAN_FRANCISCO, la) - 559) < 5);
    const box = boundingBox(SAN_FRANCISCO, 25);
    assert.ok(box.minLat < 37.56 && box.maxLat > 37.98 && box.minLon < -122.7 && box.maxLon > -122.2);
    assert.ok(distanceKm(SAN_FRANCISCO, localityPoint('us-ca', 'San Francisco')!) < 10);
    assert.equal(localityPoint('us-ca', 'Nowhere Special'), null);
  });
});
