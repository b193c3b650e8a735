// The figures GET /metrics reads when scraped (read-only).
import type { Db } from './client';

/** Endpoints per enabled grouping and state (the exact counts the database keeps). */
export async function groupingStateCounts(db: Db): Promise<{ name: string; state: string; n: number }[]> {
  const rows = await db.$queryRaw<{ name: string; state: string; n: number }[]>`
    SELECT g.name, c.state::text AS state, c.n FROM grouping_counts c JOIN classification_groupings g ON g.id = c.grouping_id WHERE g.enabled`;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a raw row's type is our claim, unchecked: Number() makes it true
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** The minimum AVAILABLE of each enabled grouping. */
export async function groupingMinimums(db: Db): Promise<{ name: string; minAvailable: number }[]> {
  return db.classificationGrouping.findMany({ where: { enabled: true }, select: { name: true, minAvailable: true } });
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
