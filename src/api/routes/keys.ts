// Operators' API keys (src/usecases/keys.ts): issued (the secret shown once),
// listed with their scopes and last use, revoked. Operator keys only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { Timestamp } from '../schemas/views';
import type { Auth } from '../middleware/auth';
import { shownOnce } from '../middleware/idempotency';
import { issueKey, listApiKeys, revokeApiKey, type KeyDeps } from '../../usecases/keys';

const ScopeName = z.enum(['platform', 'operator', 'carrier', 'router']);
const KeyInput = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ description: 'who or what holds it' }),
    scope: ScopeName.openapi({ description: 'what it may do' }),
    accountIds: z.array(z.string().min(1).max(64)).min(1).max(100).optional().openapi({ description: 'platform keys: the accounts it acts for' }),
    providerId: z.string().min(1).max(100).optional().openapi({ description: 'carrier keys: the provider it speaks for' }),
    rateLimit: z.number().int().min(1).max(100_000_000).optional().openapi({ description: 'requests per minute; default RATE_LIMIT_PER_MINUTE' }),
  })
  .strict()
  .openapi('KeyInput');
const Key = z
  .object({
    id: z.string().uuid(),
    twilioSid: z.string().openapi({ description: 'its API key SID on the Twilio-compatible face (`SK…`, a Basic user name)' }),
    prefix: z.string(),
    name: z.string(),
    scope: ScopeName,
    accountIds: z.array(z.string()),
    providerId: z.string().nullable(),
    rateLimit: z.number().int().nullable(),
    createdAt: Timestamp,
    revokedAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable().openapi({ description: 'the last request with it, to within a minute (written at most once a minute)' }),
  })
  .strict()
  .openapi('Key');
const NewKey = Key.extend({
  key: z.string().nullable().openapi({ description: 'the secret: shown in this answer only (null in a replay)' }),
  notShownAgain: z
    .object({ key: z.string() })
    .strict()
    .optional()
    .openapi({ description: 'a replay for the same Idempotency-Key: says the secret is not shown again' }),
})
  .strict()
  .openapi('NewKey');
const KeyList = z
  .object({ keys: z.array(Key) })
  .strict()
  .openapi('KeyList');
const Query = z
  .object({
    accountId: z.string().min(1).max(64).optional().openapi({ description: 'only keys acting for this account' }),
    scope: ScopeName.optional().openapi({ description: 'only keys of this scope' }),
    revoked: z.enum(['true', 'false']).optional().openapi({ description: 'true: only revoked keys; false: only keys in use' }),
    limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ description: 'at most this many, 1–1000 (default 100)' }),
  })
  .strict();
const Id = z.object({ id: z.string().uuid().openapi({ description: 'the key id (a UUID, from the list)' }) });

export function keyRoutes(deps: KeyDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'createKey',
    tags: ['accounts'],
    method: 'post',
    path: '/v1/keys',
    summary: 'Issue an API key: platform (for accounts), operator, carrier (for a provider) or router. The secret is in this answer only',
    request: { body: body(KeyInput) },
    responses: {
      201: { description: 'issued: the key with its secret; replayed for the same Idempotency-Key with key null and notShownAgain saying so', ...json(NewKey) },
      400: {
        ...error,
        description: 'bad input: an unknown or deactivated account, accounts for a key that is not platform, a carrier key without providerId (`bad_request`)',
      },
    },
  });
  router.post('/v1/keys', auth('OPERATOR'), async (req, res) => {
    const input = KeyInput.parse(req.body);
    const made = await issueKey(deps.db, { ...input, scope: input.scope.toUpperCase() as Uppercase<typeof input.scope> });
    shownOnce(res, { key: 'shown once, in the first answer; issue another key (and revoke this one) if it was lost' });
    res.status(201).json(made);
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'listKeys',
    tags: ['accounts'],
    method: 'get',
    path: '/v1/keys',
    summary: 'List API keys, newest first, with their scopes, accounts and last use (never their secrets)',
    request: { query: Query },
    responses: { 200: { description: 'keys, newest first', ...json(KeyList) } },
  });
  router.get('/v1/keys', auth('OPERATOR'), async (req, res) => {
    const q = Query.parse(req.query);
    const keys = await listApiKeys(deps.db, {
      accountId: q.accountId,
      scope: q.scope?.toUpperCase() as Uppercase<NonNullable<typeof q.scope>> | undefined,
      revoked: q.revoked === undefined ? undefined : q.revoked === 'true',
      limit: q.limit,
    });
    res.json({ keys });
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'revokeKey',
    tags: ['accounts'],
    method: 'delete',
    path: '/v1/keys/{id}',
    summary: 'Revoke an API key (API processes stop taking it within 10 s); a repeat answers the same',
    request: { params: Id },
    responses: {
      200: { description: 'revoked: the key', ...json(Key) },
      404: { ...error, description: 'no such key (`not_found`)' },
    },
  });
  router.delete('/v1/keys/:id', auth('OPERATOR'), async (req, res) => {
    res.json(await revokeApiKey(deps.db, Id.parse(req.params).id));
  });

  return router;
}
