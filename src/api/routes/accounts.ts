// Operators' accounts (src/usecases/accounts.ts): created, listed, shown,
// deactivated (its numbers released after ACCOUNT_RELEASE_GRACE). Operator keys only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponse as error, jsonBody as body, jsonContent as json, secured, z } from '../openapi';
import { Timestamp } from '../schemas/views';
import type { Auth } from '../middleware/auth';
import { createAccount, deactivateAccount, listAccounts, showAccount, type DeactivationDeps } from '../../usecases/accounts';

const AccountId = z.string().min(1).max(64);
const AccountInput = z
  .object({
    id: AccountId.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits, or _ . : - (starting with a letter or digit)').openapi({
      description: 'the account id: 1–64 letters, digits, or _ . : - (starting with a letter or digit)',
    }),
    name: z.string().trim().min(1).max(200).openapi({ description: 'its name' }),
  })
  .strict()
  .openapi('AccountInput');
export const Account = z
  .object({
    id: z.string(),
    twilioSid: z.string().openapi({ description: 'its account SID on the Twilio-compatible face (`AC…`, the Basic user name)' }),
    name: z.string(),
    active: z.boolean(),
    createdAt: Timestamp,
    deactivatedAt: Timestamp.nullable(),
    releaseAfter: Timestamp.nullable().openapi({ description: 'when its numbers are (or were) released: deactivatedAt + ACCOUNT_RELEASE_GRACE' }),
    releasedAt: Timestamp.nullable(),
    numbers: z.number().int().openapi({ description: 'numbers it holds now' }),
    keys: z.number().int().openapi({ description: 'keys acting for it, not revoked' }),
  })
  .strict()
  .openapi('Account');
const AccountPage = z
  .object({
    accounts: z.array(Account),
    nextPageToken: z.string().nullable().openapi({ description: 'pass as pageToken for the next page; null on the last' }),
  })
  .strict()
  .openapi('AccountPage');
const Query = z
  .object({
    pageSize: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'accounts per page, 1–200 (default 50)' }),
    pageToken: z.string().min(1).max(400).optional().openapi({ description: "the previous page's nextPageToken" }),
    active: z.enum(['true', 'false']).optional().openapi({ description: 'true: only active accounts; false: only deactivated ones' }),
  })
  .strict();
const Id = z.object({ id: AccountId.openapi({ description: 'the account id (1–64 characters)' }) });
/** a POST that takes no body: anything sent must be empty */
const NoBody = z.object({}).strict();

export function accountRoutes(deps: DeactivationDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'createAccount',
    tags: ['accounts'],
    method: 'post',
    path: '/v1/accounts',
    summary: 'Create an account (a platform customer)',
    request: { body: body(AccountInput) },
    responses: {
      201: { description: 'created: the account', ...json(Account) },
      409: { ...error, description: 'an account with that id exists already (`conflict`), or the same Idempotency-Key still runs' },
    },
  });
  router.post('/v1/accounts', auth('OPERATOR'), async (req, res) => {
    res.status(201).json(await createAccount(deps.db, AccountInput.parse(req.body)));
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'listAccounts',
    tags: ['accounts'],
    method: 'get',
    path: '/v1/accounts',
    summary: 'List accounts by id, a page at a time (pass nextPageToken as pageToken)',
    request: { query: Query },
    responses: { 200: { description: 'a page of accounts', ...json(AccountPage) } },
  });
  router.get('/v1/accounts', auth('OPERATOR'), async (req, res) => {
    const q = Query.parse(req.query);
    res.json(await listAccounts(deps.db, { pageSize: q.pageSize, pageToken: q.pageToken, active: q.active === undefined ? undefined : q.active === 'true' }));
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'getAccount',
    tags: ['accounts'],
    method: 'get',
    path: '/v1/accounts/{id}',
    summary: 'One account: active or when it was deactivated, when its numbers are released, how many it holds',
    request: { params: Id },
    responses: {
      200: { description: 'the account', ...json(Account) },
      404: { ...error, description: 'no such account (`not_found`)' },
    },
  });
  router.get('/v1/accounts/:id', auth('OPERATOR'), async (req, res) => {
    res.json(await showAccount(deps.db, Id.parse(req.params).id));
  });

  registry.registerPath({
    ...secured('OPERATOR'),
    operationId: 'deactivateAccount',
    tags: ['accounts'],
    method: 'post',
    path: '/v1/accounts/{id}/deactivation',
    summary:
      'Deactivate an account: its platform keys are refused for it (403), nothing more is allocated to it, and after ACCOUNT_RELEASE_GRACE its numbers are released (a durable workflow timer). Once; a repeat answers the same',
    request: { params: Id },
    responses: {
      200: { description: 'deactivated: the account', ...json(Account) },
      404: { ...error, description: 'no such account (`not_found`)' },
    },
  });
  router.post('/v1/accounts/:id/deactivation', auth('OPERATOR'), async (req, res) => {
    const { id } = Id.parse(req.params);
    NoBody.parse(req.body ?? {});
    res.json(await deactivateAccount(deps, id));
  });

  return router;
}
