// The dashboard's reads (read-only): the series of available inventory,
// orders in flight, endpoints on their way in, how many are in each state.
import type { Db } from './client';
import { OPEN_ORDER_STATUSES } from '../domain/inventory';
import type { EndpointStateName } from '../domain/endpoint';

export interface SeriesPoint {
  groupingId: string;
  at: Date;
  available: number;
  min: number;
  target: number;
  max: number;
}

/** At most `points` snapshots per grouping since `since`, evenly thinned. */
export async function snapshotSeries(db: Db, since: Date, points: number): Promise<SeriesPoint[]> {
  return db.$queryRaw<SeriesPoint[]>`
    WITH s AS (
      SELECT grouping_id, taken_at, available, min_available, target_available, max_available,
             ntile(${points}) OVER (PARTITION BY grouping_id ORDER BY taken_at) AS bucket
        FROM inventory_snapshots WHERE taken_at >= ${since})
    SELECT DISTINCT ON (grouping_id, bucket) grouping_id::text AS "groupingId", taken_at AS at, available,
           min_available AS min, target_available AS target, max_available AS max
      FROM s ORDER BY grouping_id, bucket, taken_at DESC`;
}

export interface OpenOrder {
  id: string;
  providerId: string;
  providerName: string;
  direction: string;
  status: string;
  requestedAt: Date;
  submittedAt: Date | null;
  lines: { quantity: number; accepted: number; rejected: number }[];
}

/** Orders not yet settled, newest first. */
export async function openOrders(db: Db, limit: number): Promise<OpenOrder[]> {
  const rows = await db.providerOrder.findMany({
    where: { status: { in: [...OPEN_ORDER_STATUSES] } },
    select: {
      id: true,
      providerId: true,
      direction: true,
      status: true,
      requestedAt: true,
      submittedAt: true,
      lines: { select: { quantity: true, accepted: true, rejected: true } },
      provider: { select: { name: true } },
    },
    orderBy: { requestedAt: 'desc' },
    take: limit,
  });
  return rows.map(({ provider, ...o }) => ({ ...o, providerName: provider.name }));
}

/** The states on the way in: ordered numbers in quarantine, aging, tests, port-ins. */
export const QUARANTINE_STATES = ['QUARANTINE', 'TESTING', 'AGING', 'PORTING_IN'] as const satisfies readonly EndpointStateName[];

export interface QuarantinedEndpoint {
  address: string;
  state: EndpointStateName;
  voiceCleanliness: number;
  messagingCleanliness: number;
  quarantineUntil: Date | null;
  stateChangedAt: Date;
  providerId: string | null;
}

/** Endpoints on the way in, the soonest out first. */
export async function quarantined(db: Db, limit: number): Promise<QuarantinedEndpoint[]> {
  return db.endpoint.findMany({
    where: { state: { in: [...QUARANTINE_STATES] } },
    select: { address: true, state: true, voiceCleanliness: true, messagingCleanliness: true, quarantineUntil: true, stateChangedAt: true, providerId: true },
    orderBy: [{ quarantineUntil: 'asc' }, { address: 'asc' }],
    take: limit,
  });
}

/** How many endpoints are in each state (states without any left out), in state order. */
export async function stateCounts(db: Db): Promise<{ state: EndpointStateName; n: number }[]> {
  const rows = await db.endpoint.groupBy({ by: ['state'], _count: { _all: true }, orderBy: { state: 'asc' } });
  return rows.map((r) => ({ state: r.state, n: r._count._all }));
}

/** Inventory per region (null: the place data cannot place the number), the busiest first. */
export interface RegionCount {
  region: string | null;
  available: number;
  allocated: number;
  /** on the way to the shelf: quarantine, testing, aging, porting in */
  pipeline: number;
  total: number;
}

export async function regionCounts(db: Db, limit: number): Promise<RegionCount[]> {
  const rows = await db.$queryRaw<{ region: string | null; available: bigint; allocated: bigint; pipeline: bigint; total: bigint }[]>`
    SELECT region,
           count(*) FILTER (WHERE state = 'AVAILABLE') AS available,
           count(*) FILTER (WHERE state = 'ALLOCATED') AS allocated,
           count(*) FILTER (WHERE state::text = ANY(${[...QUARANTINE_STATES]}::text[])) AS pipeline,
           count(*) AS total
      FROM endpoints
     GROUP BY region
     ORDER BY count(*) DESC, region NULLS LAST
     LIMIT ${limit}`;
  return rows.map((r) => ({
    region: r.region,
    available: Number(r.available),
    allocated: Number(r.allocated),
    pipeline: Number(r.pipeline),
    total: Number(r.total),
  }));
}
