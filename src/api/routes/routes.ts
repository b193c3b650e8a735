// Routing lookup for the call router (src/usecases/routing.ts): where traffic
// to an allocated endpoint goes. Never cached: an allocation moves it. Router
// and operator keys; a platform key is refused (403).
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { principalOf, type Auth } from '../middleware/auth';
import { routing, type RoutingDeps } from '../../usecases/routing';

const AddressParam = z.object({
  address: z.string().min(1).max(100).openapi({ description: 'the address as written (E.164, `US:12345`, a SIP URI), URL-encoded' }),
});
const Route = z
  .object({ address: z.string(), accountId: z.string(), applicationUri: z.string().nullable(), state: z.enum(['ALLOCATED', 'PORTING_OUT']) })
  .strict()
  .openapi('Route');

export function routeRoutes(deps: RoutingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  registry.registerPath({
    method: 'get',
    path: '/v1/routes/{address}',
    operationId: 'getRoute',
    tags: ['routing'],
    summary: 'Routing lookup for the call router: where traffic to an allocated endpoint goes',
    ...secured('ROUTER', 'OPERATOR'),
    request: { params: AddressParam },
    responses: {
      200: { description: 'the route', ...json(Route) },
      404: { ...error, description: 'not an ALLOCATED (or PORTING_OUT) endpoint (`not_found`)' },
    },
  });
  router.get('/v1/routes/:address', auth('ROUTER', 'OPERATOR'), async (req, res) => {
    const route = await routing(deps, principalOf(req), AddressParam.parse(req.params).address);
    res.set('Cache-Control', 'no-store').json(route);
  });
  return router;
}
