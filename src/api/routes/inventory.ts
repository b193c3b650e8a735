// The inventory report and the operator's check-now (src/usecases/inventory.ts).
// Operator keys only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import type { Auth } from '../middleware/auth';
import { GroupingMetricsView, InventoryReportView, inventoryReportView } from '../schemas/views';
import { REPORT_WINDOWS, checkNow, inventoryReport, type InventoryDeps, type ReportWindow } from '../../usecases/inventory';

const ReportQuery = z
  .object({
    window: z
      .enum(Object.keys(REPORT_WINDOWS) as [ReportWindow, ...ReportWindow[]])
      .default('24h')
      .openapi({ description: 'the window allocation rate, unmet searches and trend are measured over (default 24h)' }),
  })
  .strict();

export function inventoryRoutes(deps: InventoryDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/inventory',
    operationId: 'getInventory',
    tags: ['inventory'],
    summary: 'Inventory per grouping: counts, on order, allocation rate, unmet searches, trend, depletion',
    request: { query: ReportQuery },
    responses: {
      200: {
        description: 'report',
        ...json(
          z.object({ window: z.enum(Object.keys(REPORT_WINDOWS) as [ReportWindow, ...ReportWindow[]]), groupings: z.array(GroupingMetricsView) }).strict(),
        ),
      },
      400: error,
    },
  });
  router.get('/v1/inventory', auth('OPERATOR'), async (req, res) => {
    const { window } = ReportQuery.parse(req.query);
    res.json({ window, groupings: await inventoryReport(deps, window) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post',
    path: '/v1/inventory/check',
    operationId: 'checkInventoryNow',
    tags: ['inventory'],
    summary: "Operator's check-now: the monitor evaluates at once and answers with its report",
    responses: {
      200: { description: 'the report', ...json(InventoryReportView) },
      503: { ...error, description: 'no inventory monitor runs, or Temporal is away (`unavailable`)' },
    },
  });
  router.post('/v1/inventory/check', auth('OPERATOR'), async (_req, res) => {
    res.json(inventoryReportView(await checkNow(deps)));
  });

  return router;
}
