// Fills the place of endpoints that came in before the place data did (or
// every endpoint again, with `all`): region, locality, time zone,
// coordinates, postal code and their tags, batch by batch, with progress.
// Safe to interrupt and run again: each batch is one statement, and only
// rows not yet looked up are read.
import type { Db } from '../db/client';
import { applyPlaces, countGeoUnchecked, geoUnchecked, markGeoUnchecked } from '../db/endpoints';
import { inherentTags } from '../domain/classification';
import { placeOf, type Place, UNKNOWN_PLACE, geoStatus } from '../domain/geo';
import { AddressError, parseAddress } from '../domain/numbers';

export interface GeoBackfillOptions {
  /** look every endpoint up again (after the place data changed), not only those never looked up */
  all?: boolean;
  batch?: number;
  onProgress?: (done: number, total: number) => void;
  /** checked between batches: stop early (Ctrl-C) */
  aborted?: () => boolean;
}

export interface GeoBackfillResult {
  checked: number;
  placed: number;
  unknown: number;
  /** stopped before the end (aborted) */
  interrupted: boolean;
}

const PLACE_DIMENSIONS = ['region:', 'locality:', 'tz:'];

/** A row's place and its place tags; an address that does not parse (nor a SIP URI) is unknown. */
function placeAndTags(address: string): { place: Place; placeTags: string[] } {
  try {
    const p = parseAddress(address);
    const place = placeOf(p);
    return { place, placeTags: inherentTags(p, place).filter((t) => PLACE_DIMENSIONS.some((d) => t.startsWith(d))) };
  } catch (err) {
    if (!(err instanceof AddressError)) throw err;
    return { place: { ...UNKNOWN_PLACE }, placeTags: [] };
  }
}

export async function geoBackfill(db: Db, opts: GeoBackfillOptions = {}): Promise<GeoBackfillResult> {
  const batch = opts.batch ?? 1000;
  if (opts.all) await markGeoUnchecked(db);
  const total = await countGeoUnchecked(db);
  const result: GeoBackfillResult = { checked: 0, placed: 0, unknown: 0, interrupted: false };
  let after: string | null = null;
  opts.onProgress?.(0, total);
  for (;;) {
    if (opts.aborted?.()) {
      result.interrupted = true;
      break;
    }
    const rows = await geoUnchecked(db, after, batch);
    if (!rows.length) break;
    const placed = rows.map((r) => ({ id: r.id, ...placeAndTags(r.address) }));
    await applyPlaces(db, placed);
    for (const r of placed) result[geoStatus(r.place) === 'known' ? 'placed' : 'unknown']++;
    result.checked += rows.length;
    after = rows.at(-1)!.id;
    opts.onProgress?.(result.checked, Math.max(total, result.checked));
  }
  return result;
}
