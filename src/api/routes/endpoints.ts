// One endpoint at a time: reserve, release, and insight (its record,
// classifiers, scores and full history). A platform key acts for its own
// accounts only: another account's endpoint does not exist for it (404).
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { Conflict, NotFound } from '../../domain/errors';
import { principalOf, type Auth, type Principal } from '../middleware/auth';
import { addressField } from '../input';
import { operationId } from '../middleware/idempotency';
import type { Db } from '../../db/client';
import type { TemporalGateway } from '../../temporal/gateway';
import { endpointWorkflowId, releaseUpdate, reserveUpdate } from '../../../workflows/shared';

const Reserve = z
  .object({ accountId: z.string().min(1).max(64), address: z.string().min(1).max(100), minutes: z.number().int().min(1).max(24 * 60).default(15) })
  .strict()
  .openapi('ReservationRequest');
const Release = z.object({ accountId: z.string().min(1).max(64), address: z.string().min(1).max(100) }).strict().openapi('ReleaseRequest');
const AddressParam = z.object({ address: z.string().min(1).max(100) });

export interface EndpointDeps {
  db: Db;
  temporal: TemporalGateway;
  notify: () => void;
}

function ownAccount(who: Principal, accountId: string): void {
  if (!who.accountIds.includes(accountId)) throw new NotFound(`accountId: no account ${accountId} for this key`);
}

export function endpointRoutes(deps: EndpointDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const update = async <T>(address: string, run: (h: ReturnType<Awaited<ReturnType<TemporalGateway['client']>>['workflow']['getHandle']>) => Promise<T>) => {
    const client = await deps.temporal.client();
    try {
      return await run(client.workflow.getHandle(endpointWorkflowId(address)));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFound(`address: no managed endpoint ${address}`);
      if (err instanceof WorkflowUpdateFailedError) throw new Conflict((err.cause as Error)?.message ?? 'refused');
      throw err;
    }
  };

  registry.registerPath({ ...secured('PLATFORM'), method: 'post', path: '/v1/reservations', summary: 'Reserve an AVAILABLE endpoint for an account for some minutes (it returns to AVAILABLE by itself)', request: { body: json(Reserve) }, responses: { 201: { description: 'reserved' }, 400: error, 404: error, 409: error } });
  router.post('/v1/reservations', auth('PLATFORM'), async (req, res) => {
    const body = Reserve.parse(req.body);
    ownAccount(principalOf(req), body.accountId);
    const address = addressField(body.address);
    const status = await update(address, (h) => h.executeUpdate(reserveUpdate, { args: [{ accountId: body.accountId, until: Date.now() + body.minutes * 60_000, actor: `key:${principalOf(req).name}` }], updateId: `${operationId(req)}:reserve` }));
    deps.notify();
    res.status(201).json(status);
  });

  registry.registerPath({ ...secured('PLATFORM'), method: 'post', path: '/v1/releases', summary: "Release an account's endpoint (allocated: it ages before reuse; reserved: available again)", request: { body: json(Release) }, responses: { 200: { description: 'released' }, 400: error, 404: error, 409: error } });
  router.post('/v1/releases', auth('PLATFORM'), async (req, res) => {
    const body = Release.parse(req.body);
    const who = principalOf(req);
    ownAccount(who, body.accountId);
    const address = addressField(body.address);
    // The workflow judges who holds it (the row may lag a moment). No look at the row first: a
    // retry of a release that was applied but whose answer was lost must reach the same update
    // (same id) and get its result, even if the endpoint has been allocated to someone since.
    const status = await update(address, (h) => h.executeUpdate(releaseUpdate, { args: [{ accountId: body.accountId, actor: `key:${who.name}` }], updateId: `${operationId(req)}:release` })).catch((err: unknown) => {
      // not held by this account: not its business
      if (err instanceof Conflict && /held by another account|not ALLOCATED or RESERVED/.test(err.message)) throw new NotFound(`address: no endpoint ${address} held by account ${body.accountId}`);
      throw err;
    });
    deps.notify();
    res.json(status);
  });

  registry.registerPath({ ...secured('PLATFORM', 'OPERATOR'), method: 'get', path: '/v1/endpoints/{address}', summary: 'Insight: the record, classifiers, scores and full history of an endpoint', request: { params: AddressParam }, responses: { 200: { description: 'the endpoint' }, 400: error, 404: error } });
  router.get('/v1/endpoints/:address', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    const address = addressField(AddressParam.parse(req.params).address);
    const who = principalOf(req);
    const row = await deps.db.endpoint.findUnique({ where: { address }, include: { history: { orderBy: { version: 'asc' } } } });
    const visible = row && (who.scope === 'OPERATOR' || row.state === 'AVAILABLE' || (row.accountId !== null && who.accountIds.includes(row.accountId)));
    if (!row || !visible) throw new NotFound(`address: no endpoint ${address}`);
    const { claimToken: _t, claimedUntil: _c, ...record } = row;
    res.json({ ...record, country: row.country?.trim() ?? null, history: row.history.map((h) => ({ ...h, id: String(h.id) })) });
  });

  return router;
}
