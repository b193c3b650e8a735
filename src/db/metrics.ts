// The figures GET /metrics reads when scraped (read-only).
import type { Db } from './client';

/** Endpoints per enabled grouping (its id) and state (the exact counts the database keeps). */
export async function groupingStateCounts(db: Db): Promise<{ groupingId: string; state: string; n: number }[]> {
  const rows = await db.$queryRaw<{ groupingId: string; state: string; n: number }[]>`
    SELECT g.id::text AS "groupingId", c.state::text AS state, c.n FROM grouping_counts c JOIN classification_groupings g ON g.id = c.grouping_id WHERE g.enabled`;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a raw row's type is our claim, unchecked: Number() makes it true
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** The minimum AVAILABLE and the current name of each enabled grouping, by its id. */
export async function groupingMinimums(db: Db): Promise<{ groupingId: string; name: string; minAvailable: number }[]> {
  const rows = await db.classificationGrouping.findMany({ where: { enabled: true }, select: { id: true, name: true, minAvailable: true } });
  return rows.map((r) => ({ groupingId: r.id, name: r.name, minAvailable: r.minAvailable }));
}

/** Provider orders by direction and status. */
export async function orderCounts(db: Db): Promise<{ direction: string; status: string; n: number }[]> {
  const rows = await db.providerOrder.groupBy({ by: ['direction', 'status'], _count: { _all: true } });
  return rows.map((r) => ({ direction: r.direction, status: r.status, n: r._count._all }));
}

/**
 * Re-tests of numbers in service in the last 24 hours that went wrong, by
 * outcome: `pulled` (an AVAILABLE number rejected), `holder_alerted` (an
 * ALLOCATED number lost capabilities; its holder was alerted). From the
 * history rows' details (indexed by time).
 */
export async function failedRetests(db: Db): Promise<{ outcome: string; n: number }[]> {
  const rows = await db.$queryRaw<{ outcome: string; n: number }[]>`
    SELECT CASE WHEN to_state = 'REJECTED' THEN 'pulled' ELSE 'holder_alerted' END AS outcome, count(*)::int AS n
      FROM endpoint_history
     WHERE at > now() - interval '24 hours'
       AND ((to_state = 'REJECTED' AND (details -> 'retest' ->> 'failed') = 'true') OR (details ->> 'holderAlerted') = 'true')
     GROUP BY 1`;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a raw row's type is our claim, unchecked: Number() makes it true
  return rows.map((r) => ({ outcome: r.outcome, n: Number(r.n) }));
}
