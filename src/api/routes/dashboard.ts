// The operators' dashboard: one page (open; it holds no data) whose script
// asks for an operator key and then reads GET /v1/dashboard (operator key)
// every few seconds: per grouping the available inventory over time against
// its thresholds with the predicted depletion, orders in flight and their
// progress, endpoints in quarantine with their cleanliness — each row linking
// to its workflow in Temporal Web.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import type { Auth } from '../middleware/auth';
import type { Db } from '../../db/client';
import { evaluateGroupings } from '../../db/groupings';
import { OPEN_ORDER_STATUSES } from '../../domain/inventory';
import { endpointWorkflowId, orderWorkflowId } from '../../../workflows/shared';

const Query = z
  .object({
    window: z.enum(['15m', '1h', '6h', '24h', '7d']).default('1h'),
    points: z.coerce.number().int().min(2).max(1000).default(120),
  })
  .strict();
const WINDOWS = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 } as const;
const QUARANTINE_ROWS = 200;

export interface DashboardDeps {
  db: Db;
  temporalWebUrl: string;
  namespace: string;
}

export function dashboardRoutes(deps: DashboardDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const asset = (name: string) => readFileSync(join(__dirname, '..', 'dashboard', name), 'utf8');
  const page = asset('dashboard.html');
  const script = asset('dashboard.js');
  const workflowUrl = (id: string) => `${deps.temporalWebUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(id)}`;

  router.get('/dashboard', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-store').send(page);
  });
  router.get('/dashboard.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-store').send(script);
  });

  registry.registerPath({
    ...secured('OPERATOR'), method: 'get', path: '/v1/dashboard',
    summary: "The dashboard's figures: per grouping the available inventory over the window with thresholds and predicted depletion, orders in flight with progress, endpoints in quarantine with cleanliness, Temporal Web links",
    request: { query: Query },
    responses: { 200: { description: 'figures', ...json(z.record(z.string(), z.unknown())) }, 400: error, 401: error, 403: error },
  });
  router.get('/v1/dashboard', auth('OPERATOR'), async (req, res) => {
    const q = Query.parse(req.query);
    const windowMs = WINDOWS[q.window];
    const now = new Date();
    const since = new Date(now.getTime() - windowMs);
    const [groupings, series, orders, quarantine, pipeline] = await Promise.all([
      evaluateGroupings(deps.db, { windowMs, snapshot: false, now }),
      // at most `points` snapshots per grouping, evenly thinned over the window
      deps.db.$queryRaw<{ grouping_id: string; at: Date; available: number; min: number; target: number; max: number }[]>`
        WITH s AS (
          SELECT grouping_id, taken_at, available, min_available, target_available, max_available,
                 ntile(${q.points}) OVER (PARTITION BY grouping_id ORDER BY taken_at) AS bucket
            FROM inventory_snapshots WHERE taken_at >= ${since})
        SELECT DISTINCT ON (grouping_id, bucket) grouping_id::text, taken_at AS at, available, min_available AS min, target_available AS target, max_available AS max
          FROM s ORDER BY grouping_id, bucket, taken_at DESC`,
      deps.db.providerOrder.findMany({
        where: { status: { in: [...OPEN_ORDER_STATUSES] } },
        include: { lines: { select: { quantity: true, accepted: true, rejected: true, delivered: true, npa: true, tags: true } }, provider: { select: { name: true } } },
        orderBy: { requestedAt: 'desc' },
        take: 100,
      }),
      deps.db.endpoint.findMany({
        where: { state: { in: ['QUARANTINE', 'TESTING', 'AGING', 'PORTING_IN'] } },
        select: { address: true, state: true, voiceCleanliness: true, messagingCleanliness: true, quarantineUntil: true, stateChangedAt: true, providerId: true },
        orderBy: [{ quarantineUntil: 'asc' }, { address: 'asc' }],
        take: QUARANTINE_ROWS,
      }),
      deps.db.endpoint.groupBy({ by: ['state'], _count: { _all: true } }),
    ]);
    const byGrouping = new Map<string, { at: string; available: number; min: number; target: number; max: number }[]>();
    for (const p of series) {
      const list = byGrouping.get(p.grouping_id) ?? [];
      list.push({ at: p.at.toISOString(), available: p.available, min: p.min, target: p.target, max: p.max });
      byGrouping.set(p.grouping_id, list);
    }
    res.set('Cache-Control', 'no-store').json({
      generatedAt: now.toISOString(),
      window: q.window,
      temporalWebUrl: deps.temporalWebUrl,
      states: Object.fromEntries(pipeline.map((s) => [s.state, s._count._all])),
      groupings: groupings.map((g) => ({
        ...g,
        // the last point is now: the counts are exact, snapshots only come with each pass
        series: [...(byGrouping.get(g.groupingId) ?? []), { at: now.toISOString(), available: g.available, min: g.minAvailable, target: g.targetAvailable, max: g.maxAvailable }],
      })),
      orders: orders.map((o) => {
        const quantity = o.lines.reduce((n, l) => n + l.quantity, 0);
        const accepted = o.lines.reduce((n, l) => n + l.accepted, 0);
        const rejected = o.lines.reduce((n, l) => n + l.rejected, 0);
        return {
          id: o.id, provider: o.providerId, providerName: o.provider.name, direction: o.direction, status: o.status,
          requestedAt: o.requestedAt.toISOString(), submittedAt: o.submittedAt?.toISOString() ?? null,
          quantity, accepted, rejected, lines: o.lines.length, workflowUrl: workflowUrl(orderWorkflowId(o.id)),
        };
      }),
      quarantine: {
        total: ['QUARANTINE', 'TESTING', 'AGING', 'PORTING_IN'].reduce((n, s) => n + (pipeline.find((p) => p.state === s)?._count._all ?? 0), 0),
        endpoints: quarantine.map((e) => ({
          address: e.address, state: e.state, voiceCleanliness: e.voiceCleanliness, messagingCleanliness: e.messagingCleanliness,
          until: e.quarantineUntil?.toISOString() ?? null, since: e.stateChangedAt.toISOString(), provider: e.providerId,
          workflowUrl: workflowUrl(endpointWorkflowId(e.address)),
        })),
      },
    });
  });
  return router;
}
