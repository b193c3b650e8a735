// Liveness (/health: the process answers) and readiness (/ready: each
// dependency answers, reported one by one; 503 when any is down).
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from '../openapi';
import type { Db } from '../../db/client';
import { withTimeout, type TemporalGateway } from '../../temporal/gateway';

const Check = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  error: z.string().optional(),
});
const Ready = z
  .object({ status: z.enum(['ready', 'not_ready']), checks: z.object({ postgres: Check, temporal: Check }) })
  .openapi('Readiness');

export interface HealthDeps {
  db: Db;
  temporal: TemporalGateway;
  readyTimeoutMs: number;
}

async function probe(fn: () => Promise<unknown>, timeoutMs: number): Promise<z.infer<typeof Check>> {
  const started = Date.now();
  try {
    await withTimeout(fn(), timeoutMs, 'check');
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (err) {
    return { status: 'down', latencyMs: Date.now() - started, error: firstLine(err) };
  }
}

function firstLine(err: unknown): string {
  const e = err as { message?: string; code?: string; name?: string };
  const line = (e.message ?? '').split('\n').map((l) => l.trim()).find(Boolean);
  return line ?? e.code ?? e.name ?? 'unreachable';
}

export function healthRoutes(deps: HealthDeps, registry: OpenAPIRegistry): Router {
  const router = Router();

  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Liveness: the process is up',
    responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
  });
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  registry.registerPath({
    method: 'get',
    path: '/ready',
    summary: 'Readiness: PostgreSQL and Temporal, each reported',
    responses: {
      200: { description: 'every dependency answers', content: { 'application/json': { schema: Ready } } },
      503: { description: 'at least one dependency is down', content: { 'application/json': { schema: Ready } } },
    },
  });
  router.get('/ready', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([
      probe(() => deps.db.$queryRaw`SELECT 1`, deps.readyTimeoutMs),
      probe(() => deps.temporal.check(deps.readyTimeoutMs), deps.readyTimeoutMs),
    ]);
    const ready = postgres.status === 'up' && temporal.status === 'up';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: { postgres, temporal } });
  });

  return router;
}
