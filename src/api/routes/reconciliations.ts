// Operators' reconciliation over HTTP: every running endpoint workflow against
// its row (the same use case as `npm run reconcile`). Reads every workflow:
// minutes on a large repository, so it is for operators, not for traffic.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import type { Auth } from '../middleware/auth';
import { reconcileEndpoints, type ReconcileDeps } from '../../usecases/reconcile';

const Request = z
  .object({ repair: z.boolean().default(false) })
  .strict()
  .openapi('ReconcileRequest');

export function reconciliationRoutes(deps: ReconcileDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post',
    path: '/v1/reconciliations',
    summary:
      'Compare every endpoint workflow with its PostgreSQL row; with repair, rewrite drifted rows from their workflow and start workflows for live rows without one',
    request: { body: json(Request) },
    responses: {
      200: {
        description: 'the drift found (and repaired)',
        ...json(z.object({ workflows: z.number(), rows: z.number(), drift: z.array(z.record(z.string(), z.unknown())) })),
      },
      400: error,
      401: error,
      403: error,
    },
  });
  router.post('/v1/reconciliations', auth('OPERATOR'), async (req, res) => {
    const body = Request.parse(req.body ?? {});
    res.json(await reconcileEndpoints(deps, { repair: body.repair }));
  });
  return router;
}
