// Liveness (/health: the process answers) and readiness (/ready: each
// dependency answers, reported one by one; 503 when any is down).
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from '../openapi';
import { readiness, type HealthDeps } from '../../usecases/health';

const Check = z
  .object({
    status: z.enum(['up', 'down']),
    latencyMs: z.number(),
    error: z.string().optional(),
  })
  .strict();
const Ready = z
  .object({ status: z.enum(['ready', 'not_ready']), checks: z.object({ postgres: Check, temporal: Check }).strict() })
  .strict()
  .openapi('Readiness');

export function healthRoutes(deps: HealthDeps, registry: OpenAPIRegistry): Router {
  const router = Router();

  registry.registerPath({
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    tags: ['health'],
    summary: 'Liveness: the process is up',
    responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }).strict() } } } },
  });
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  registry.registerPath({
    method: 'get',
    path: '/ready',
    operationId: 'getReadiness',
    tags: ['health'],
    summary: 'Readiness: PostgreSQL and Temporal, each reported',
    responses: {
      200: { description: 'every dependency answers', content: { 'application/json': { schema: Ready } } },
      503: { description: 'at least one dependency is down', content: { 'application/json': { schema: Ready } } },
    },
  });
  router.get('/ready', async (_req, res) => {
    const { ready, checks } = await readiness(deps);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  return router;
}
