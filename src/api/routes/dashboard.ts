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
import { DASHBOARD_WINDOWS, dashboard, type DashboardDeps, type DashboardWindow } from '../../usecases/dashboard';

const Query = z
  .object({
    window: z.enum(Object.keys(DASHBOARD_WINDOWS) as [DashboardWindow, ...DashboardWindow[]]).default('1h'),
    points: z.coerce.number().int().min(2).max(1000).default(120),
  })
  .strict();

export function dashboardRoutes(deps: DashboardDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const asset = (name: string) => readFileSync(join(__dirname, '..', 'dashboard', name), 'utf8');
  const page = asset('dashboard.html');
  const script = asset('dashboard.js');

  router.get('/dashboard', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-store').send(page);
  });
  router.get('/dashboard.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-store').send(script);
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/dashboard',
    summary:
      "The dashboard's figures: per grouping the available inventory over the window with thresholds and predicted depletion, orders in flight with progress, endpoints in quarantine with cleanliness, Temporal Web links",
    request: { query: Query },
    responses: { 200: { description: 'figures', ...json(z.record(z.string(), z.unknown())) }, 400: error, 401: error, 403: error },
  });
  router.get('/v1/dashboard', auth('OPERATOR'), async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await dashboard(deps, Query.parse(req.query)));
  });
  return router;
}
