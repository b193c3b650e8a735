// Routing lookup for the call router: address → where its traffic goes. One
// indexed read on the hot path; nothing else. Operator keys see every
// endpoint, platform keys their own accounts' (another's is a 404).
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { NotFound } from '../../domain/errors';
import { principalOf, type Auth } from '../middleware/auth';
import { addressField } from '../input';
import type { Db } from '../../db/client';

const AddressParam = z.object({ address: z.string().min(1).max(100) });
const Route = z
  .object({ address: z.string(), accountId: z.string(), applicationUri: z.string().nullable(), state: z.enum(['ALLOCATED', 'PORTING_OUT']) })
  .openapi('Route');

export function routingRoutes(deps: { db: Db }, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    method: 'get', path: '/v1/routes/{address}', summary: 'Routing lookup for the call router: where traffic to an allocated endpoint goes',
    ...secured('PLATFORM', 'OPERATOR'),
    request: { params: AddressParam },
    responses: { 200: { description: 'the route', ...json(Route) }, 400: error, 401: error, 403: error, 404: error },
  });
  router.get('/v1/routes/:address', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    const address = addressField(AddressParam.parse(req.params).address);
    const who = principalOf(req);
    // an endpoint being ported out still carries its holder's traffic until it is gone
    const [row] = await deps.db.$queryRaw<{ account_id: string; application_uri: string | null; state: 'ALLOCATED' | 'PORTING_OUT' }[]>`
      SELECT account_id, application_uri, state::text AS state FROM endpoints
       WHERE address = ${address} AND state IN ('ALLOCATED', 'PORTING_OUT') AND account_id IS NOT NULL`;
    if (!row || (who.scope !== 'OPERATOR' && !who.accountIds.includes(row.account_id))) throw new NotFound(`address: ${address} is not routed (not allocated)`);
    res.set('Cache-Control', 'no-store').json({ address, accountId: row.account_id, applicationUri: row.application_uri, state: row.state });
  });
  return router;
}
