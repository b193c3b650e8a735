// Operators' classification groupings and the inventory report. Thin: each
// route validates, calls one use case, maps errors. Operator keys only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { WorkflowNotFoundError } from '@temporalio/client';
import { errorResponse, jsonContent, secured, z } from '../openapi';
import { BadRequest, Conflict, NotFound, Unavailable } from '../../domain/errors';
import type { Db } from '../../db/client';
import { createGrouping, evaluateGroupings, updateGrouping } from '../../db/groupings';
import { validateGrouping } from '../../domain/classification';
import type { TemporalGateway } from '../../temporal/gateway';
import type { Auth } from '../middleware/auth';
import { INVENTORY_MONITOR_ID, checkNowUpdate } from '../../../workflows/shared';

const count = z.number().int().min(0).max(10_000_000);
const GroupingBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    tags: z.array(z.string().max(100)).min(1).max(8).openapi({ example: ['npa:415', 'cap:sms'] }),
    minAvailable: count,
    targetAvailable: count,
    maxAvailable: count,
    autoAdjust: z.boolean().optional(),
    preferredProviderIds: z.array(z.string().min(1).max(100)).max(20).optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('GroupingInput');
const GroupingPatch = GroupingBody.partial().strict().openapi('GroupingPatch');
const Grouping = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    tags: z.array(z.string()),
    key: z.string(),
    minAvailable: z.number(),
    targetAvailable: z.number(),
    maxAvailable: z.number(),
    autoAdjust: z.boolean(),
    preferredProviderIds: z.array(z.string()),
    enabled: z.boolean(),
  })
  .openapi('Grouping');
const Id = z.object({ id: z.string().uuid() });
const ReportQuery = z.object({ window: z.enum(['1h', '24h', '7d']).default('24h') }).strict();

function thresholdProblem(t: { minAvailable?: number; targetAvailable?: number; maxAvailable?: number }): string | null {
  const { minAvailable: min, targetAvailable: target, maxAvailable: max } = t;
  if (min !== undefined && target !== undefined && min > target) return 'minAvailable: must not exceed targetAvailable';
  if (target !== undefined && max !== undefined && target > max) return 'targetAvailable: must not exceed maxAvailable';
  return null;
}

function checkTags(tags: string[]): string[] {
  const v = validateGrouping(tags);
  if (!v.ok) throw new BadRequest(`tags: ${v.reason}`, [{ field: 'tags', reason: v.reason }]);
  return v.tags;
}

function uniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

export interface GroupingDeps {
  db: Db;
  temporal: TemporalGateway;
}

export function groupingRoutes(deps: GroupingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const json = jsonContent;
  const error = errorResponse;

  registry.registerPath({ ...secured('OPERATOR'), method: 'get', path: '/v1/groupings', summary: 'List classification groupings', responses: { 200: { description: 'groupings', ...json(z.object({ groupings: z.array(Grouping) })) } } });
  router.get('/v1/groupings', auth('OPERATOR'), async (_req, res) => {
    res.json({ groupings: await deps.db.classificationGrouping.findMany({ orderBy: { name: 'asc' } }) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post', path: '/v1/groupings', summary: 'Create a grouping (a conjunction of classifier tags with thresholds)',
    request: { body: json(GroupingBody) },
    responses: { 201: { description: 'created', ...json(Grouping) }, 400: error, 409: error },
  });
  router.post('/v1/groupings', auth('OPERATOR'), async (req, res) => {
    const body = GroupingBody.parse(req.body);
    const bad = thresholdProblem(body);
    if (bad) throw new BadRequest(bad, [{ field: bad.split(':')[0]!, reason: bad.split(': ')[1]! }]);
    const tags = checkTags(body.tags);
    try {
      res.status(201).json(await createGrouping(deps.db, { ...body, tags }));
    } catch (err) {
      if (uniqueViolation(err)) throw new Conflict(`a grouping with this name or these tags exists (${tags.join(' + ')})`);
      throw err;
    }
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'patch', path: '/v1/groupings/{id}', summary: 'Change a grouping', request: { params: Id, body: json(GroupingPatch) },
    responses: { 200: { description: 'changed', ...json(Grouping) }, 400: error, 404: error, 409: error },
  });
  router.patch('/v1/groupings/:id', auth('OPERATOR'), async (req, res) => {
    const { id } = Id.parse(req.params);
    const patch = GroupingPatch.parse(req.body);
    const current = await deps.db.classificationGrouping.findUnique({ where: { id } });
    if (!current) throw new NotFound(`no grouping ${id}`);
    const bad = thresholdProblem({ ...current, ...patch });
    if (bad) throw new BadRequest(bad, [{ field: bad.split(':')[0]!, reason: bad.split(': ')[1]! }]);
    const tags = patch.tags ? checkTags(patch.tags) : undefined;
    try {
      res.json(await updateGrouping(deps.db, id, { ...patch, ...(tags ? { tags } : {}) }));
    } catch (err) {
      if (uniqueViolation(err)) throw new Conflict('a grouping with this name or these tags exists');
      throw err;
    }
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get', path: '/v1/inventory', summary: 'Inventory per grouping: counts, on order, allocation rate, unmet searches, trend, depletion',
    request: { query: ReportQuery }, responses: { 200: { description: 'report', ...json(z.object({ groupings: z.array(z.record(z.string(), z.unknown())) })) }, 400: error },
  });
  router.get('/v1/inventory', auth('OPERATOR'), async (req, res) => {
    const { window } = ReportQuery.parse(req.query);
    const windowMs = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 }[window];
    res.json({ window, groupings: await evaluateGroupings(deps.db, { windowMs, snapshot: false }) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post', path: '/v1/inventory/check', summary: "Operator's check-now: the monitor evaluates at once and answers with its report",
    responses: { 200: { description: 'the report', ...json(z.record(z.string(), z.unknown())) }, 503: error },
  });
  router.post('/v1/inventory/check', auth('OPERATOR'), async (_req, res) => {
    try {
      const client = await deps.temporal.client();
      res.json(await client.workflow.getHandle(INVENTORY_MONITOR_ID).executeUpdate(checkNowUpdate));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new Unavailable('the inventory monitor is not running (a worker starts it)');
      throw err;
    }
  });

  return router;
}
