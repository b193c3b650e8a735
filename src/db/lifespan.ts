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
    ), b AS (
      -- the boundaries of holdings only: into ALLOCATED from anything not held (a start), out of held (an end);
      -- between a start and its end every transition is held → held, so a start's end is its next boundary
      SELECT endpoint_id, version, at, to_state,
             coalesce(from_state NOT IN ('ALLOCATED', 'PORTING_OUT'), true) AS is_start
        FROM endpoint_history
       WHERE (to_state = 'ALLOCATED' AND coalesce(from_state NOT IN ('ALLOCATED', 'PORTING_OUT'), true))
          OR (from_state IN ('ALLOCATED', 'PORTING_OUT') AND to_state NOT IN ('ALLOCATED', 'PORTING_OUT'))
    ), s AS (
      SELECT endpoint_id, is_start, at AS began,
             lead(version) OVER w AS next_version, lead(at) OVER w AS next_at,
             lead(to_state) OVER w AS next_to, lead(is_start) OVER w AS next_is_start
        FROM b WINDOW w AS (PARTITION BY endpoint_id ORDER BY version)
    ), holdings AS (
      -- ended: the next boundary is an end; running: no boundary after it (a start followed by a start is a gap: neither)
      SELECT s.began, CASE WHEN NOT s.next_is_start THEN s.next_at END AS ended_at,
             CASE WHEN NOT s.next_is_start THEN s.next_to END AS ended_in,
             s.next_version IS NULL AS last, e.state, e.classifier_tags
        FROM s JOIN endpoints e ON e.id = s.endpoint_id
       WHERE s.is_start
    ), folded AS (
      SELECT classifier_tags AS tags,
             floor(extract(epoch FROM (coalesce(ended_at, ${now}::timestamptz) - began)) / 86400)::int AS days,
             count(*) FILTER (WHERE ended_in = 'AGING' AND began >= ${since}) AS released,
             count(*) FILTER (WHERE ended_in IS NOT NULL AND ended_in <> 'AGING' AND began >= ${since}) AS ended,
             -- running: no end yet and the endpoint still held (a gap in its history is not a holding)
             count(*) FILTER (WHERE last AND state IN ('ALLOCATED', 'PORTING_OUT')) AS held
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
