// Operators' reconciliation over HTTP: every running endpoint workflow against
// its row (the same use case as `npm run reconcile`). Reads every workflow:
// minutes on a large repository, so it is for operators, not for traffic.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { CapabilitiesView, State, Timestamp } from '../schemas/views';
import type { Auth } from '../middleware/auth';
import { reconcileEndpoints, type ReconcileDeps } from '../../usecases/reconcile';

const Request = z
  .object({ repair: z.boolean().default(false).openapi({ description: 'rewrite drifted rows from their workflow (default false: only report)' }) })
  .strict()
  .openapi('ReconcileRequest');

const Side = z
  .object({
    state: State,
    version: z.number().int(),
    accountId: z.string().nullable().optional(),
    enabled: CapabilitiesView.optional(),
    reservedUntil: Timestamp.nullable().optional(),
    phaseEndsAt: Timestamp.nullable().optional(),
  })
  .strict();
const Drift = z
  .object({
    address: z.string(),
    kind: z.enum(['state_mismatch', 'field_mismatch', 'no_workflow', 'no_row', 'unqueryable']),
    fields: z.array(z.enum(['accountId', 'enabled', 'reservedUntil', 'phaseEndsAt'])).optional(),
    error: z.string().optional(),
    workflow: Side.optional(),
    row: Side.optional(),
    repaired: z.boolean().optional(),
  })
  .strict()
  .openapi('Drift');

export function reconciliationRoutes(deps: ReconcileDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post',
    path: '/v1/reconciliations',
    operationId: 'createReconciliation',
    tags: ['operations'],
    summary:
      'Compare every endpoint workflow with its PostgreSQL row; with repair, rewrite drifted rows from their workflow and start workflows for live rows without one',
    request: { body: body(Request, false) },
    responses: {
      200: {
        description: 'the drift found (and repaired)',
        ...json(z.object({ workflows: z.number().int(), rows: z.number().int(), drift: z.array(Drift) }).strict()),
      },
      400: error,
    },
  });
  router.post('/v1/reconciliations', auth('OPERATOR'), async (req, res) => {
    const body = Request.parse(req.body ?? {});
    res.json(await reconcileEndpoints(deps, { repair: body.repair }));
  });
  return router;
}
