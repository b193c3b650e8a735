// Reads of endpoint_history (written by src/db/endpoints.ts) for lifespan and
// stickiness: every enabled grouping's holding periods — allocation to the
// first transition out of ALLOCATED/PORTING_OUT — folded by whole days held,
// in one statement. The math is src/domain/lifespan.ts.
import type { Db } from './client';
import type { HoldingCount } from '../domain/lifespan';

/**
 * Per enabled grouping (by the endpoints' current tags): holdings that began
 * inside the lookback, by days held and how they ended (released to AGING,
 * ended another way), and every number held now by how long it has been held
 * (whenever its holding began).
 */
export async function groupingLifespans(db: Db, opts: { lookbackMs: number; now?: Date }): Promise<Map<string, HoldingCount[]>> {
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - opts.lookbackMs);
  const rows = await db.$queryRaw<{ groupingId: string; days: number; released: number; ended: number; held: number }[]>`
    WITH g AS (
      SELECT id, tags FROM classification_groupings WHERE enabled
    ), starts AS (
      -- a holding begins where an endpoint becomes ALLOCATED from anything else
      SELECT h.endpoint_id, h.version, h.at FROM endpoint_history h
       WHERE h.to_state = 'ALLOCATED' AND h.from_state IS DISTINCT FROM 'ALLOCATED' AND h.from_state IS DISTINCT FROM 'PORTING_OUT'
    ), holdings AS (
      SELECT s.endpoint_id, s.at AS began, x.at AS ended_at, x.to_state AS ended_in, e.state, e.classifier_tags
        FROM starts s JOIN endpoints e ON e.id = s.endpoint_id
        LEFT JOIN LATERAL (
          SELECT n.at, n.to_state FROM endpoint_history n
           WHERE n.endpoint_id = s.endpoint_id AND n.version > s.version AND n.to_state NOT IN ('ALLOCATED', 'PORTING_OUT')
           ORDER BY n.version LIMIT 1) x ON true
    ), folded AS (
      SELECT classifier_tags AS tags,
             floor(extract(epoch FROM (coalesce(ended_at, ${now}::timestamptz) - began)) / 86400)::int AS days,
             count(*) FILTER (WHERE ended_in = 'AGING' AND began >= ${since}) AS released,
             count(*) FILTER (WHERE ended_in IS NOT NULL AND ended_in <> 'AGING' AND began >= ${since}) AS ended,
             -- running: no end yet and the endpoint still held (a gap in its history is not a holding)
             count(*) FILTER (WHERE ended_in IS NULL AND state IN ('ALLOCATED', 'PORTING_OUT')) AS held
        FROM holdings GROUP BY 1, 2
    )
    SELECT g.id::text AS "groupingId", f.days, sum(f.released)::int AS released, sum(f.ended)::int AS ended, sum(f.held)::int AS held
      FROM g JOIN folded f ON f.tags @> g.tags
     GROUP BY g.id, f.days
    HAVING sum(f.released) + sum(f.ended) + sum(f.held) > 0
     ORDER BY 1, 2`;
  const out = new Map<string, HoldingCount[]>();
  for (const { groupingId, ...r } of rows) {
    const list = out.get(groupingId) ?? [];
    list.push(r);
    out.set(groupingId, list);
  }
  return out;
}
