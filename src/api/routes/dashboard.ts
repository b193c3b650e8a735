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
import { GroupingMetricsView, State, Timestamp } from '../schemas/views';
import { DASHBOARD_WINDOWS, dashboard, type DashboardDeps, type DashboardWindow } from '../../usecases/dashboard';

const Query = z
  .object({
    window: z
      .enum(Object.keys(DASHBOARD_WINDOWS) as [DashboardWindow, ...DashboardWindow[]])
      .default('1h')
      .openapi({ description: 'how far back the inventory series goes (default 1h)' }),
    points: z.coerce.number().int().min(2).max(1000).default(120).openapi({ description: 'at most this many points per series, 2–1000 (default 120)' }),
  })
  .strict();
const Lifespan = z
  .object({
    count: z.number().int().openapi({ description: 'holdings released (to AGING) that began within LIFESPAN_LOOKBACK' }),
    p25: z.number().int().nullable(),
    p50: z.number().int().nullable(),
    p75: z.number().int().nullable(),
    p90: z.number().int().nullable(),
    buckets: z.array(z.object({ from: z.number().int(), to: z.number().int().nullable(), n: z.number().int() }).strict()),
  })
  .strict()
  .openapi({ description: 'how long numbers stayed allocated, in whole days: percentiles and a histogram of the released holdings' });
const Point = z.object({ at: Timestamp, available: z.number().int(), min: z.number().int(), target: z.number().int(), max: z.number().int() }).strict();
const Figures = z
  .object({
    generatedAt: Timestamp,
    window: z.enum(Object.keys(DASHBOARD_WINDOWS) as [DashboardWindow, ...DashboardWindow[]]),
    temporalWebUrl: z.string(),
    states: z.record(z.string(), z.number().int()).openapi({ description: 'endpoints per lifecycle state' }),
    regions: z
      .array(
        z
          .object({
            region: z.string().openapi({ description: 'ISO 3166-2 (`us-ca`), or `unknown` for numbers the place data cannot place' }),
            available: z.number().int(),
            allocated: z.number().int(),
            pipeline: z.number().int().openapi({ description: 'on the way to the shelf: quarantine, testing, aging, porting in' }),
            total: z.number().int(),
          })
          .strict(),
      )
      .openapi({ description: 'inventory per region, busiest first' }),
    groupings: z.array(
      GroupingMetricsView.extend({
        series: z.array(Point),
        lifespan: Lifespan,
        releases: z
          .object({
            predictedReleases: z.number().openapi({ description: 'held numbers expected back within the window: the sum of their release probabilities' }),
            held: z.number().int().openapi({ description: 'numbers allocated now' }),
            windowDays: z.number().openapi({ description: 'RELEASE_PREDICTION_HORIZON less RELEASE_PREDICTION_SHELF_DELAY, in days' }),
          })
          .strict()
          .nullable()
          .openapi({ description: "the monitor's release prediction; null when RELEASE_PREDICTION_HORIZON is 0" }),
      }).strict(),
    ),
    orders: z.array(
      z
        .object({
          id: z.string(),
          provider: z.string(),
          providerName: z.string(),
          direction: z.enum(['ACQUIRE', 'RELEASE']),
          status: z.string(),
          requestedAt: Timestamp,
          submittedAt: Timestamp.nullable(),
          quantity: z.number().int(),
          accepted: z.number().int(),
          rejected: z.number().int(),
          lines: z.number().int(),
          workflowUrl: z.string(),
        })
        .strict(),
    ),
    quarantine: z
      .object({
        total: z.number().int(),
        endpoints: z.array(
          z
            .object({
              address: z.string(),
              state: State,
              voiceCleanliness: z.number(),
              messagingCleanliness: z.number(),
              until: Timestamp.nullable(),
              since: Timestamp,
              provider: z.string().nullable(),
              workflowUrl: z.string(),
            })
            .strict(),
        ),
      })
      .strict(),
  })
  .strict()
  .openapi('DashboardFigures');

export function dashboardRoutes(deps: DashboardDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const asset = (name: string) => readFileSync(join(__dirname, '..', 'dashboard', name), 'utf8');
  const page = asset('dashboard.html');
  const script = asset('dashboard.js');

  registry.registerPath({
    method: 'get',
    path: '/dashboard',
    operationId: 'getDashboardPage',
    tags: ['inventory'],
    summary: "The operators' dashboard page (no data: its script asks for an operator key)",
    responses: { 200: { description: 'the page', content: { 'text/html': { schema: z.string() } } } },
  });
  router.get('/dashboard', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-store').send(page);
  });
  registry.registerPath({
    method: 'get',
    path: '/dashboard.js',
    operationId: 'getDashboardScript',
    tags: ['inventory'],
    summary: "The dashboard page's script",
    responses: { 200: { description: 'the script', content: { 'application/javascript': { schema: z.string() } } } },
  });
  router.get('/dashboard.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-store').send(script);
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/dashboard',
    operationId: 'getDashboard',
    tags: ['inventory'],
    summary:
      "The dashboard's figures: per grouping the available inventory over the window with thresholds and predicted depletion, orders in flight with progress, endpoints in quarantine with cleanliness, Temporal Web links",
    request: { query: Query },
    responses: { 200: { description: 'figures', ...json(Figures) }, 400: error },
  });
  router.get('/v1/dashboard', auth('OPERATOR'), async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await dashboard(deps, Query.parse(req.query)));
  });
  return router;
}
