// Geography per endpoint on the real database: filled at ingest, backfilled
// for rows that have none (with progress), searched by place through the API.
import assert from 'node:assert/strict';
import { buildApp } from '../../src/api/app';
import { TemporalGateway } from '../../src/temporal/gateway';
import { ingest } from '../../src/usecases/ingest';
import { geoBackfill } from '../../src/usecases/geo-backfill';
import { lifecyclePolicy } from '../../src/config';
import { distanceKm } from '../../src/domain/geo';
import { serve } from '../support/http';
import { apiKey, db, stack, testConfig, testLog } from '../support/stack';

interface Found {
  endpoints: {
    address: string;
    geo: 'known' | 'unknown';
    region: string | null;
    locality: string | null;
    timeZone: string | null;
    latitude: number | null;
    longitude: number | null;
    postalCode: string | null;
    rateCenter: string | null;
    lata: string | null;
    distanceKm?: number;
  }[];
  next: string | null;
}

// prefixes as libphonenumber's geocoding data places them
const SF = ['+14155559901', '+14155559902', '+14155569903'];
const OAKLAND = '+15105309904'; // ~13 km from San Francisco
const DALY_CITY = '+16503019905'; // ~12 km
const SAN_JOSE = '+14082209906'; // ~68 km
const LOS_ANGELES = '+12135559907';
const NEW_YORK = '+12125559908';
const TOLL_FREE = '+18005559909'; // no place: unknown
const ALL = [...SF, OAKLAND, DALY_CITY, SAN_JOSE, LOS_ANGELES, NEW_YORK, TOLL_FREE];
const SF_POINT = { latitude: 37.7749, longitude: -122.4194 };

describe('API: geography per endpoint and search by place', function () {
  this.timeout(60_000);
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let key = '';
  const search = async (query: string) => fetch(`${app.url}/v1/endpoints?${query}`, { headers: { authorization: `Bearer ${key}` } });
  const found = async (query: string) => {
    const res = await search(query);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Found;
  };
  const addresses = (f: Found) => f.endpoints.map((e) => e.address);

  before(async () => {
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 1500);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: testConfig(), notifier: { notify: () => {} } }));
    key = await apiKey('PLATFORM', ['acct-geo']);
    await db().endpoint.deleteMany({ where: { address: { in: ALL } } });
  });
  after(async () => {
    await db().endpoint.deleteMany({ where: { address: { in: [...ALL, '+14155559910', '+18005559911'] } } }); // no workflows: would be drift at the end
    await app.close();
    await gateway.close();
  });

  it('ingest fills the place of each number (and what the carrier said of it); a number the data cannot place stays unknown', async () => {
    const started: string[] = [];
    const temporal = { endpoints: { start: (input: { address: string }) => Promise.resolve(void started.push(input.address)) } } as unknown as TemporalGateway;
    const res = await ingest(
      { db: db(), temporal, policy: lifecyclePolicy(testConfig()) },
      [{ address: '+14155559910', rateCenter: 'SNFC CNTRL', lata: '722' }, { address: '+18005559911' }],
      { entry: 'quarantine', actor: 'test' },
    );
    assert.equal(res.accepted.length, 2);
    const sf = await db().endpoint.findUniqueOrThrow({ where: { address: '+14155559910' } });
    assert.deepEqual([sf.region, sf.locality, sf.timeZone, sf.rateCenter, sf.lata], ['us-ca', 'San Francisco', 'America/Los_Angeles', 'SNFC CNTRL', '722']);
    assert.ok(distanceKm(SF_POINT, { latitude: sf.latitude!, longitude: sf.longitude! }) < 10);
    for (const t of ['region:us-ca', 'locality:us-ca-san-francisco', 'tz:america-los_angeles']) assert.ok(sf.classifierTags.includes(t), t);
    assert.ok(sf.geoCheckedAt);
    const free = await db().endpoint.findUniqueOrThrow({ where: { address: '+18005559911' } });
    assert.deepEqual(
      [free.place, free.region, free.locality, free.timeZone, free.latitude, free.longitude, free.postalCode],
      [null, null, null, null, null, null, null],
    );
    assert.ok(!free.classifierTags.some((t) => /^(region|locality|tz):/.test(t)));
  });

  it('the backfill places rows that came in before the place data, with progress, and fixes their tags', async () => {
    // rows of other tests are not this test's business: only ours are left to look up
    await db().$executeRaw`UPDATE endpoints SET geo_checked_at = now() WHERE geo_checked_at IS NULL`;
    await db().$executeRaw`
      INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, state, sms_enabled, voice_enabled, classifier_tags)
      SELECT a, 'FIXED_LINE_OR_MOBILE', 'US', substr(a, 3, 3), substr(a, 6, 3), substr(a, 9), substr(a, 3), 'AVAILABLE', true, true,
             ARRAY['country:us', 'npa:' || substr(a, 3, 3), 'region:us-zz']
        FROM unnest(${ALL}::text[]) AS a`;
    const seen: [number, number][] = [];
    const result = await geoBackfill(db(), { batch: 4, onProgress: (done, total) => seen.push([done, total]) });
    assert.deepEqual(result, { checked: ALL.length, placed: ALL.length - 1, unknown: 1, interrupted: false });
    assert.deepEqual(seen.at(0), [0, ALL.length]);
    assert.deepEqual(seen.at(-1), [ALL.length, ALL.length]);
    assert.ok(seen.length >= 4, 'a step per batch');
    const ny = await db().endpoint.findUniqueOrThrow({ where: { address: NEW_YORK } });
    assert.equal(ny.region, 'us-ny');
    assert.ok(ny.classifierTags.includes('region:us-ny') && !ny.classifierTags.includes('region:us-zz'), ny.classifierTags.join(' '));
    const free = await db().endpoint.findUniqueOrThrow({ where: { address: TOLL_FREE } });
    assert.ok(!free.classifierTags.some((t) => t.startsWith('region:')), 'an old place tag goes when the data has no place');
    // run again: nothing left to do
    assert.equal((await geoBackfill(db())).checked, 0);
  });

  it('searches by region and by locality: only matching numbers', async () => {
    const ca = await found('region=us-ca&limit=100');
    assert.deepEqual(
      addresses(ca)
        .filter((a) => ALL.includes(a))
        .sort(),
      [...SF, OAKLAND, DALY_CITY, SAN_JOSE, LOS_ANGELES].sort(),
    );
    assert.ok(ca.endpoints.every((e) => e.region === 'us-ca' && e.geo === 'known'));
    const sf = await found('region=US-CA&locality=San%20Francisco&limit=100');
    // other suites' San Francisco numbers may be on the shelf too: only this suite's are counted
    assert.deepEqual(
      addresses(sf)
        .filter((a) => ALL.includes(a))
        .sort(),
      [...SF].sort(),
    );
    assert.ok(sf.endpoints.every((e) => e.locality === 'San Francisco' && e.timeZone === 'America/Los_Angeles'));
    assert.deepEqual(
      addresses(await found('timeZone=America/New_York&npa=212&limit=100')).filter((a) => ALL.includes(a)),
      [NEW_YORK],
    );
    assert.deepEqual(
      addresses(await found('timeZone=america/new_york&npa=212&limit=100')).filter((a) => ALL.includes(a)),
      [NEW_YORK],
      'a zone in any case',
    );
    const insight = await fetch(`${app.url}/v1/endpoints/${encodeURIComponent(SF[0]!)}`, { headers: { authorization: `Bearer ${key}` } });
    const one = (await insight.json()) as { geo: string; region: string; locality: string; timeZone: string };
    assert.deepEqual([one.geo, one.region, one.locality, one.timeZone], ['known', 'us-ca', 'San Francisco', 'America/Los_Angeles']);
    const unknown = await found('npa=800&contains=5559909');
    assert.deepEqual(
      unknown.endpoints.map((e) => [e.address, e.geo, e.region, e.latitude]),
      [[TOLL_FREE, 'unknown', null, null]],
    );
  });

  it('searches near a point: only numbers within the distance, closest first', async () => {
    const near = await found(`nearLatLong=${SF_POINT.latitude},${SF_POINT.longitude}&distanceKm=30&limit=100`);
    const ours = near.endpoints.filter((e) => ALL.includes(e.address));
    assert.deepEqual(ours.map((e) => e.address).sort(), [...SF, OAKLAND, DALY_CITY].sort());
    const d = near.endpoints.map((e) => e.distanceKm!);
    assert.deepEqual(
      d,
      [...d].sort((a, b) => a - b),
      'closest first',
    );
    assert.ok(near.endpoints.every((e) => e.distanceKm! <= 30));
    assert.deepEqual(
      ours
        .slice(0, 3)
        .map((e) => e.address)
        .sort(),
      [...SF].sort(),
      'San Francisco itself first',
    );
    assert.equal(near.next, null);
    const wider = await found(`nearLatLong=${SF_POINT.latitude},${SF_POINT.longitude}&distanceKm=100&limit=100`);
    assert.ok(addresses(wider).includes(SAN_JOSE) && !addresses(wider).includes(LOS_ANGELES));
  });

  it('near a point, a small page is the start of the full answer (by distance, then address), and other filters still apply', async () => {
    // the search reads each place's rows a page at most (src/db/search.ts nearPointSql): a page smaller than one place's rows
    const at = `nearLatLong=${SF_POINT.latitude},${SF_POINT.longitude}&distanceKm=30`;
    const all = await found(`${at}&limit=100`);
    const key = (e: { distanceKm?: number; address: string }) => [e.distanceKm!, e.address] as const;
    for (let i = 1; i < all.endpoints.length; i++) {
      const [a, b] = [key(all.endpoints[i - 1]!), key(all.endpoints[i]!)];
      assert.ok(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]), `ordered by distance, then address: ${a.join(' ')} before ${b.join(' ')}`);
    }
    for (const limit of [1, 2, 4]) {
      assert.deepEqual(addresses(await found(`${at}&limit=${limit}`)), addresses(all).slice(0, limit), `limit=${limit}`);
    }
    const last = [...SF].sort().at(-1)!;
    const filtered = await found(`${at}&limit=100&endsWith=${last.slice(-4)}`);
    assert.ok(addresses(filtered).includes(last));
    assert.ok(addresses(filtered).every((a) => a.endsWith(last.slice(-4))));
  });

  it('searches near a number geographically (where it is, not its digits)', async () => {
    const near = await found(`nearNumber=${encodeURIComponent('+14155550100')}&distanceKm=20&limit=100`);
    assert.deepEqual(
      near.endpoints
        .filter((e) => ALL.includes(e.address))
        .map((e) => e.address)
        .slice(3)
        .sort(),
      [OAKLAND, DALY_CITY].sort(),
    );
    const res = await search(`nearNumber=${encodeURIComponent('+18005550100')}`);
    assert.equal(res.status, 400);
    const issue = ((await res.json()) as { errors: { field: string; reason: string }[] }).errors[0]!;
    assert.equal(issue.field, 'nearNumber');
    assert.match(issue.reason, /no coordinates/);
  });

  it('searches by postal code, rate center and LATA; refuses bad place parameters naming the field', async () => {
    await db().$executeRaw`UPDATE endpoints SET rate_center = 'SNFC CNTRL', lata = '722', postal_code = '94103' WHERE address = ${SF[0]}`;
    assert.deepEqual(addresses(await found('rateCenter=SNFC%20CNTRL')), [SF[0]]);
    assert.deepEqual(addresses(await found('lata=722')), [SF[0]]);
    assert.deepEqual(addresses(await found('postalCode=94103')), [SF[0]]);
    for (const [query, field] of [
      ['region=california', 'region'],
      ['locality=Springfield', 'locality'],
      ['nearLatLong=91,0', 'nearLatLong'],
      ['nearLatLong=37.7,-122.4&distanceKm=0', 'distanceKm'],
      ['distanceKm=5', 'distanceKm'],
      ['lata=7a', 'lata'],
      ['timeZone=Mars/Olympus_Mons', 'timeZone'],
    ] as const) {
      const res = await search(query);
      assert.equal(res.status, 400, query);
      const issue = ((await res.json()) as { errors: { field: string }[] }).errors[0]!;
      assert.equal(issue.field, field, query);
    }
  });
});
