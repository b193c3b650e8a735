// Classification groupings in PostgreSQL: reading, creating and changing them
// (with their counts computed under a lock that holds endpoint writers back
// for that moment; a name or conjunction taken is a Conflict), the bulk
// rebuild, and the monitor's one set-based evaluation pass over every
// grouping, which also keeps each result as a snapshot.
import type { Db } from './client';
import { OPEN_ORDER_STATUSES, UNMET_DEMAND_DEFAULTS, type GroupingMetrics, type Thresholds } from '../domain/inventory';
import { Conflict } from '../domain/errors';

export interface Grouping extends Thresholds {
  id: string;
  name: string;
  tags: string[];
  /** the tags joined by ` + `: one grouping per conjunction */
  key: string;
  autoAdjust: boolean;
  preferredProviderIds: string[];
  enabled: boolean;
  /** the most specific tag (set by the database) */
  anchor: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupingInput extends Thresholds {
  name: string;
  /** normalised (sorted, valid) tags */
  tags: string[];
  autoAdjust?: boolean;
  preferredProviderIds?: string[];
  enabled?: boolean;
}

export const groupingKey = (tags: string[]): string => tags.join(' + ');

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

async function recount(tx: Tx, groupingId: string, tags: string[]): Promise<void> {
  // SHARE: no endpoint write can slip between the count and the commit
  await tx.$executeRaw`LOCK TABLE endpoints IN SHARE MODE`;
  await tx.$executeRaw`DELETE FROM grouping_counts WHERE grouping_id = ${groupingId}::uuid`;
  await tx.$executeRaw`
    INSERT INTO grouping_counts (grouping_id, state, n)
    SELECT ${groupingId}::uuid, state, count(*)::int FROM endpoints
     WHERE classifier_tags @> ${tags}::text[] GROUP BY state`;
  // the allocation rate follows the new definition: rebuilt from history
  await tx.$executeRaw`DELETE FROM grouping_allocations WHERE grouping_id = ${groupingId}::uuid`;
  await tx.$executeRaw`
    INSERT INTO grouping_allocations (grouping_id, hour, n)
    SELECT ${groupingId}::uuid, date_trunc('hour', h.at), count(*)::int
      FROM endpoint_history h JOIN endpoints e ON e.id = h.endpoint_id
     WHERE h.to_state = 'ALLOCATED' AND h.from_state IS DISTINCT FROM 'ALLOCATED'
       AND h.at >= now() - ${`${ALLOCATION_HISTORY_DAYS} days`}::interval
       AND e.classifier_tags @> ${tags}::text[]
     GROUP BY 2`;
}

/** How far back a re-defined grouping's allocation rate is rebuilt from history. */
export const ALLOCATION_HISTORY_DAYS = 30;

/** A unique name or conjunction taken: refused with the message of the caller's choice. */
async function unique<T>(run: Promise<T>, message: string): Promise<T> {
  try {
    return await run;
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new Conflict(message);
    throw err;
  }
}

export async function listGroupings(db: Db): Promise<Grouping[]> {
  return db.classificationGrouping.findMany({ orderBy: { name: 'asc' } });
}

export async function getGrouping(db: Db, id: string): Promise<Grouping | null> {
  return db.classificationGrouping.findUnique({ where: { id } });
}

export async function groupingNamed(db: Db, name: string): Promise<Grouping | null> {
  return db.classificationGrouping.findUnique({ where: { name } });
}

/** Conflict when the name or the conjunction is taken. */
export async function createGrouping(db: Db, g: GroupingInput): Promise<Grouping> {
  const created = db.$transaction(async (tx) => {
    const row = await tx.classificationGrouping.create({
      data: {
        name: g.name,
        tags: g.tags,
        key: groupingKey(g.tags),
        minAvailable: g.minAvailable,
        targetAvailable: g.targetAvailable,
        maxAvailable: g.maxAvailable,
        autoAdjust: g.autoAdjust ?? false,
        preferredProviderIds: g.preferredProviderIds ?? [],
        enabled: g.enabled ?? true,
      },
    });
    await recount(tx, row.id, g.tags);
    return row;
  });
  return unique(created, `a grouping with this name or these tags exists (${groupingKey(g.tags)})`);
}

/** Conflict when the new name or conjunction is another's. */
export async function updateGrouping(db: Db, id: string, patch: Partial<GroupingInput>): Promise<Grouping> {
  const updated = db.$transaction(async (tx) => {
    const row = await tx.classificationGrouping.update({
      where: { id },
      data: {
        ...patch,
        ...(patch.tags ? { key: groupingKey(patch.tags) } : {}),
      },
    });
    if (patch.tags) await recount(tx, id, patch.tags);
    return row;
  });
  return unique(updated, 'a grouping with this name or these tags exists');
}

/**
 * Recomputes every grouping's counts from the endpoints in one statement:
 * endpoints folded into their distinct (tags, state) first, then matched.
 * For set-up and audits; the triggers keep the counts exact in between.
 */
export async function rebuildGroupingCounts(db: Db): Promise<void> {
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`LOCK TABLE endpoints IN SHARE MODE`;
      await tx.$executeRaw`DELETE FROM grouping_counts`;
      // endpoints folded into their distinct tag sets, indexed, then matched
      await tx.$executeRaw`CREATE TEMP TABLE sig ON COMMIT DROP AS
        SELECT classifier_tags AS tags, state, count(*) AS n FROM endpoints GROUP BY 1, 2`;
      await tx.$executeRaw`CREATE INDEX ON sig USING GIN (tags)`;
      await tx.$executeRaw`ANALYZE sig`;
      await tx.$executeRaw`
        INSERT INTO grouping_counts (grouping_id, state, n)
        SELECT g.id, sig.state, sum(sig.n)::int
          FROM classification_groupings g JOIN sig ON sig.tags @> g.tags
         GROUP BY g.id, sig.state`;
    },
    { timeout: 600_000 },
  );
}

/**
 * The evaluation pass: every enabled grouping's figures in one statement —
 * counts, what is on order, allocation rate, unmet searches, trend, time to
 * depletion — written as snapshots by the same statement. No endpoint row
 * leaves the database. Unmet searches count at most `unmetPerAccount`
 * (UNMET_DEMAND_PER_ACCOUNT) from any one account per grouping; searches by
 * keys without an account count as one account.
 */
export async function evaluateGroupings(
  db: Db,
  opts: { windowMs: number; snapshot: boolean; now?: Date; unmetPerAccount?: number },
): Promise<GroupingMetrics[]> {
  const unmetPerAccount = opts.unmetPerAccount ?? UNMET_DEMAND_DEFAULTS.perAccount;
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - opts.windowMs);
  const windowHours = opts.windowMs / 3_600_000;
  return db.$queryRaw<GroupingMetrics[]>`
    WITH g AS (
      SELECT id, name, tags, auto_adjust, preferred_provider_ids, min_available, target_available, max_available
        FROM classification_groupings WHERE enabled
    ), c AS (
      SELECT grouping_id,
             sum(n) FILTER (WHERE state = 'AVAILABLE') AS available,
             sum(n) FILTER (WHERE state IN ('ALLOCATED', 'PORTING_OUT')) AS allocated,
             sum(n) FILTER (WHERE state = 'RESERVED') AS reserved,
             sum(n) FILTER (WHERE state IN ('ORDERED', 'QUARANTINE', 'AGING', 'TESTING', 'PORTING_IN')) AS in_quarantine
        FROM grouping_counts GROUP BY grouping_id
    ), o AS (
      -- still expected: quantity less accepted (domain stillExpected); a rejected number does not fill its line
      SELECT l.grouping_id, sum(greatest(l.quantity - l.accepted, 0)) AS on_order
        FROM order_lines l JOIN provider_orders po ON po.id = l.order_id
       WHERE po.direction = 'ACQUIRE'
         AND po.status::text = ANY(${[...OPEN_ORDER_STATUSES]}::text[])
         AND l.grouping_id IS NOT NULL
       GROUP BY 1
    ), rel AS (
      -- still AVAILABLE: one that has left the shelf (RELEASING) is no longer counted as available
      SELECT l.grouping_id, count(*) AS on_release
        FROM order_lines l JOIN provider_orders po ON po.id = l.order_id
        CROSS JOIN LATERAL unnest(l.endpoint_ids) AS x(id) JOIN endpoints e ON e.id = x.id::uuid
       WHERE po.direction = 'RELEASE'
         AND po.status::text = ANY(${[...OPEN_ORDER_STATUSES]}::text[])
         AND l.grouping_id IS NOT NULL AND e.state = 'AVAILABLE'
       GROUP BY 1
    ), a AS (
      SELECT grouping_id, sum(n) AS allocations FROM grouping_allocations WHERE hour >= date_trunc('hour', ${since}::timestamptz) GROUP BY 1
    ), u AS (
      SELECT grouping_id, sum(least(n, ${unmetPerAccount}::int)) AS unmet FROM (
        SELECT g.id AS grouping_id, s.account_id, count(*) AS n FROM unmet_searches s JOIN g ON g.tags <@ s.tags
         WHERE s.at >= ${since} GROUP BY 1, 2) per_account
       GROUP BY 1
    ), t AS (
      SELECT grouping_id, regr_slope(available, extract(epoch FROM taken_at)) * 3600 AS trend
        FROM inventory_snapshots WHERE taken_at >= ${since} GROUP BY 1
    ), r AS (
      SELECT g.id AS grouping_id, g.name, g.tags, g.auto_adjust, g.preferred_provider_ids,
             g.min_available, g.target_available, g.max_available,
             coalesce(c.available, 0)::int AS available, coalesce(c.allocated, 0)::int AS allocated,
             coalesce(c.reserved, 0)::int AS reserved, coalesce(c.in_quarantine, 0)::int AS in_quarantine,
             coalesce(o.on_order, 0)::int AS on_order, coalesce(rel.on_release, 0)::int AS on_release,
             coalesce(a.allocations, 0)::float8 / ${windowHours}::float8 AS allocation_rate,
             coalesce(u.unmet, 0)::int AS unmet, coalesce(t.trend, 0)::float8 AS trend
        FROM g LEFT JOIN c ON c.grouping_id = g.id LEFT JOIN o ON o.grouping_id = g.id LEFT JOIN rel ON rel.grouping_id = g.id
        LEFT JOIN a ON a.grouping_id = g.id LEFT JOIN u ON u.grouping_id = g.id LEFT JOIN t ON t.grouping_id = g.id
    ), d AS (
      SELECT r.*, CASE WHEN allocation_rate > 0 THEN available / allocation_rate * 3600 END AS depletion
        FROM r
    ), snap AS (
      INSERT INTO inventory_snapshots (grouping_id, taken_at, available, allocated, reserved, in_quarantine, on_order,
                                       allocation_rate, unmet_searches, trend, depletion_seconds,
                                       min_available, target_available, max_available)
      SELECT grouping_id, ${now}, available, allocated, reserved, in_quarantine, on_order, allocation_rate, unmet, trend,
             depletion, min_available, target_available, max_available
        FROM d WHERE ${opts.snapshot}
    )
    SELECT grouping_id::text AS "groupingId", name, tags, auto_adjust AS "autoAdjust",
           preferred_provider_ids AS "preferredProviderIds", min_available AS "minAvailable",
           target_available AS "targetAvailable", max_available AS "maxAvailable", available, allocated, reserved,
           in_quarantine AS "inQuarantine", on_order AS "onOrder", on_release AS "onRelease", allocation_rate AS "allocationRate",
           unmet AS "unmetSearches", trend, depletion AS "depletionSeconds"
      FROM d ORDER BY name`;
}

/** Deletes at most `batch` snapshots taken before `before`; how many went. */
export async function pruneSnapshots(db: Db, before: Date, batch: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM inventory_snapshots WHERE id IN (SELECT id FROM inventory_snapshots WHERE taken_at < ${before} LIMIT ${batch})`;
}
