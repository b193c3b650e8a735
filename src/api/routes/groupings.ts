// Operators' classification groupings (src/usecases/groupings.ts): listed,
// created, changed. Operator keys only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import type { Auth } from '../middleware/auth';
import { Timestamp } from '../schemas/views';
import { createGrouping, groupings, updateGrouping, type GroupingDeps } from '../../usecases/groupings';

const count = z.number().int().min(0).max(10_000_000);
const GroupingBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    tags: z
      .array(z.string().max(100))
      .min(1)
      .max(8)
      .openapi({ example: ['npa:415', 'cap:sms'] }),
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
    anchor: z.string().nullable().openapi({ description: 'the most specific tag' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .strict()
  .openapi('Grouping');
const Id = z.object({ id: z.string().uuid().openapi({ description: "the grouping's id (a UUID, from GET /v1/groupings)" }) });

export function groupingRoutes(deps: GroupingDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'get',
    path: '/v1/groupings',
    operationId: 'listGroupings',
    tags: ['inventory'],
    summary: 'List classification groupings',
    responses: { 200: { description: 'groupings, by name', ...json(z.object({ groupings: z.array(Grouping) }).strict()) } },
  });
  router.get('/v1/groupings', auth('OPERATOR'), async (_req, res) => {
    res.json({ groupings: await groupings(deps) });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'post',
    path: '/v1/groupings',
    operationId: 'createGrouping',
    tags: ['inventory'],
    summary: 'Create a grouping (a conjunction of classifier tags with thresholds)',
    request: { body: body(GroupingBody) },
    responses: {
      201: { description: 'created', ...json(Grouping) },
      409: { ...error, description: 'a grouping with this name or these tags exists (`conflict`)' },
    },
  });
  router.post('/v1/groupings', auth('OPERATOR'), async (req, res) => {
    res.status(201).json(await createGrouping(deps, GroupingBody.parse(req.body)));
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    method: 'patch',
    path: '/v1/groupings/{id}',
    operationId: 'updateGrouping',
    tags: ['inventory'],
    summary: 'Change a grouping',
    request: { params: Id, body: body(GroupingPatch) },
    responses: {
      200: { description: 'changed', ...json(Grouping) },
      404: { ...error, description: 'no such grouping (`not_found`)' },
      409: { ...error, description: 'another grouping has this name or these tags (`conflict`)' },
    },
  });
  router.patch('/v1/groupings/:id', auth('OPERATOR'), async (req, res) => {
    const { id } = Id.parse(req.params);
    res.json(await updateGrouping(deps, id, GroupingPatch.parse(req.body)));
  });

  return router;
}
