// What an account does with its endpoints besides allocating them: exchange
// one for another, port a number in from another carrier (and follow it), port
// one out, and tell how well one works. Platform keys act for their own
// accounts only; another account's endpoint is a 404. Operators may read any
// port request.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { BadRequest, Conflict, NotFound } from '../../domain/errors';
import { principalOf, type Auth, type Principal } from '../middleware/auth';
import { addressField } from '../input';
import { operationId } from '../middleware/idempotency';
import { allocator, CriteriaSchema, type AllocationDeps, type Criteria } from './allocations';
import type { Db } from '../../db/client';
import { ingestEndpoints } from '../../usecases/ingest';
import { endpointWorkflowId, portOutUpdate, qualityReportSignal, releaseUpdate, type EndpointStatus, type LifecyclePolicy } from '../../../workflows/shared';

const account = z.string().min(1).max(64);
const address = z.string().min(1).max(100);
const Exchange = z
  .object({ accountId: account, address, newAddress: address.optional(), criteria: CriteriaSchema.optional() })
  .strict()
  .refine((b) => b.newAddress === undefined || b.criteria === undefined, { message: 'give newAddress or criteria, not both', path: ['criteria'] })
  .openapi('ExchangeRequest');
const PortIn = z
  .object({
    accountId: account,
    address,
    losingCarrier: z.string().min(1).max(200).optional(),
    capabilities: z.array(z.enum(['voice', 'sms', 'mms', 'fax'])).min(1).max(4).optional(),
  })
  .strict()
  .openapi('PortInRequest');
const PortOut = z.object({ accountId: account, address, gainingCarrier: z.string().min(1).max(200).optional() }).strict().openapi('PortOutRequest');
const Feedback = z
  .object({ accountId: account, address, score: z.number().min(0).max(1), source: z.string().min(1).max(100).optional(), comment: z.string().max(2000).optional() })
  .strict()
  .openapi('QualityFeedback');
const PortId = z.object({ id: z.string().uuid() });
const PortView = z
  .object({
    id: z.string(), direction: z.enum(['IN', 'OUT']), address: z.string(), accountId: z.string(),
    status: z.enum(['REQUESTED', 'IN_PROGRESS', 'COMPLETED', 'REJECTED']), endpointState: z.string().nullable(),
    losingCarrier: z.string().nullable(), gainingCarrier: z.string().nullable(), reason: z.string().nullable(),
    requestedAt: z.string(), completedAt: z.string().nullable(),
  })
  .openapi('PortRequest');

export interface LifecycleDeps extends AllocationDeps {
  taskQueue: string;
  policy: LifecyclePolicy;
}

function ownAccount(who: Principal, accountId: string): void {
  if (!who.accountIds.includes(accountId)) throw new NotFound(`accountId: no account ${accountId} for this key`);
}

/** the endpoint row, if this account holds it; else a 404 */
async function heldBy(db: Db, who: Principal, accountId: string, addr: string) {
  const row = await db.endpoint.findUnique({ where: { address: addr } });
  if (!row || row.accountId !== accountId || !who.accountIds.includes(accountId)) throw new NotFound(`address: no endpoint ${addr} held by account ${accountId}`);
  return row;
}

type PortStatusName = z.infer<typeof PortView>['status'];

/** where a port request stands, read from its endpoint's state */
function portStatus(direction: string, state: string | null): PortStatusName | null {
  if (state === null) return null;
  if (direction === 'IN') {
    if (state === 'PORTING_IN') return 'IN_PROGRESS';
    // it passed its checks (and may have moved on since) or it did not
    return state === 'REJECTED' || state === 'RETURNED' ? 'REJECTED' : 'COMPLETED';
  }
  if (state === 'PORTING_OUT') return 'IN_PROGRESS';
  if (state === 'PORTED_OUT') return 'COMPLETED';
  return null;
}

export function lifecycleRoutes(deps: LifecycleDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const allocate = allocator(deps);
  const handle = async (addr: string) => (await deps.temporal.client()).workflow.getHandle(endpointWorkflowId(addr));
  const refused = (err: unknown, addr: string): never => {
    if (err instanceof WorkflowNotFoundError) throw new NotFound(`address: no managed endpoint ${addr}`);
    if (err instanceof WorkflowUpdateFailedError) throw new Conflict((err.cause as Error)?.message ?? 'refused');
    throw err;
  };

  registry.registerPath({
    ...secured('PLATFORM'), method: 'post', path: '/v1/exchanges',
    summary: "Exchange an account's endpoint for another (a given address, criteria, or by default the same area code and capabilities): the new one is allocated with the old one's application URI, then the old one is released. If the release fails, the new one is given back.",
    request: { body: json(Exchange) },
    responses: { 201: { description: 'exchanged', ...json(z.object({ allocated: z.record(z.string(), z.unknown()), released: z.record(z.string(), z.unknown()) })) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.post('/v1/exchanges', auth('PLATFORM'), async (req, res) => {
    const body = Exchange.parse(req.body);
    const who = principalOf(req);
    ownAccount(who, body.accountId);
    const oldAddress = addressField(body.address);
    // bad input is a 400 whatever the database holds
    const newAddress = body.newAddress === undefined ? undefined : addressField(body.newAddress, 'newAddress');
    const old = await heldBy(deps.db, who, body.accountId, oldAddress);
    if (old.state !== 'ALLOCATED') throw new Conflict(`address: ${oldAddress} is ${old.state}, not ALLOCATED: nothing to exchange`);
    const actor = `key:${who.name}`;
    const operation = operationId(req);
    const applicationUri = old.applicationUri ?? undefined;
    let allocated: EndpointStatus;
    if (newAddress !== undefined) {
      if (newAddress === oldAddress) throw new BadRequest('newAddress: the same as address', [{ field: 'newAddress', reason: 'the same as address' }]);
      allocated = await allocate.byAddress({ address: newAddress, accountId: body.accountId, applicationUri, actor, operation });
    } else {
      const criteria: Criteria = body.criteria ?? {
        ...(old.npa ? { npa: old.npa } : {}),
        capabilities: (['voice', 'sms', 'mms', 'fax'] as const).filter((c) => old[`${c}Enabled`]),
      };
      allocated = await allocate.byCriteria({ criteria, accountId: body.accountId, applicationUri, actor, except: oldAddress, operation, resumable: req.get('idempotency-key') !== undefined });
    }
    try {
      const released = await (await handle(oldAddress)).executeUpdate(releaseUpdate, { args: [{ accountId: body.accountId, actor }], updateId: `${operation}:release` });
      res.status(201).json({ allocated, released });
    } catch (err) {
      // the old one stays; the new one goes back
      await (await handle(allocated.address)).executeUpdate(releaseUpdate, { args: [{ accountId: body.accountId, actor: `${actor} (exchange undone)` }], updateId: `${operation}:undo` }).catch(() => undefined);
      refused(err, oldAddress);
    }
  });

  registry.registerPath({
    ...secured('PLATFORM'), method: 'post', path: '/v1/port-ins',
    summary: "Port a number in from another carrier for an account: it joins the repository as PORTING_IN, is tested, and is the account's (ALLOCATED) when the checks pass, REJECTED otherwise. Follow it at /v1/ports/{id}.",
    request: { body: json(PortIn) },
    responses: { 202: { description: 'port-in under way', ...json(PortView) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.post('/v1/port-ins', auth('PLATFORM'), async (req, res) => {
    const body = PortIn.parse(req.body);
    const who = principalOf(req);
    ownAccount(who, body.accountId);
    const addr = addressField(body.address);
    const existing = await deps.db.endpoint.findUnique({ where: { address: addr }, select: { state: true } });
    if (existing) throw new Conflict(`address: ${addr} is already managed here (${existing.state})`);
    const caps = body.capabilities && Object.fromEntries((['voice', 'sms', 'mms', 'fax'] as const).map((c) => [c, body.capabilities!.includes(c)]));
    const request = await deps.db.portRequest.create({
      data: { address: addr, accountId: body.accountId, direction: 'IN', status: 'IN_PROGRESS', losingCarrier: body.losingCarrier ?? null },
    });
    const result = await ingestEndpoints(
      { db: deps.db, client: await deps.temporal.client(), taskQueue: deps.taskQueue, policy: deps.policy },
      [{ address: addr, ...(caps ? { capable: caps } : {}) }],
      { entry: 'port-in', accountId: body.accountId, actor: `key:${who.name}` },
    );
    const accepted = result.accepted[0];
    if (!accepted) {
      const reason = result.rejected[0]?.reason ?? `${addr} is already managed here`;
      await deps.db.portRequest.update({ where: { id: request.id }, data: { status: 'REJECTED', reason, completedAt: new Date() } });
      throw new Conflict(`address: ${reason}`);
    }
    await deps.db.portRequest.update({ where: { id: request.id }, data: { endpointId: accepted.endpointId } });
    deps.notify();
    res.status(202).json(await portView(request.id));
  });

  registry.registerPath({
    ...secured('PLATFORM'), method: 'post', path: '/v1/port-outs',
    summary: "Port an account's endpoint out to another carrier: it keeps routing until the port completes (PORT_OUT_DURATION), then it is gone. Follow it at /v1/ports/{id}.",
    request: { body: json(PortOut) },
    responses: { 202: { description: 'port-out under way', ...json(PortView) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });
  router.post('/v1/port-outs', auth('PLATFORM'), async (req, res) => {
    const body = PortOut.parse(req.body);
    const who = principalOf(req);
    ownAccount(who, body.accountId);
    const addr = addressField(body.address);
    const row = await heldBy(deps.db, who, body.accountId, addr);
    await (await handle(addr)).executeUpdate(portOutUpdate, { args: [{ accountId: body.accountId, actor: `key:${who.name}` }], updateId: `${operationId(req)}:port-out` }).catch((err: unknown) => refused(err, addr));
    const request = await deps.db.portRequest.create({
      data: { address: addr, accountId: body.accountId, direction: 'OUT', status: 'IN_PROGRESS', gainingCarrier: body.gainingCarrier ?? null, endpointId: row.id },
    });
    deps.notify();
    res.status(202).json(await portView(request.id));
  });

  const portView = async (id: string, who?: Principal): Promise<z.infer<typeof PortView>> => {
    const r = await deps.db.portRequest.findUnique({ where: { id } });
    if (!r || (who && who.scope !== 'OPERATOR' && !who.accountIds.includes(r.accountId))) throw new NotFound(`no port request ${id}`);
    const e = r.endpointId ? await deps.db.endpoint.findUnique({ where: { id: r.endpointId }, include: { history: { orderBy: { version: 'desc' }, take: 1 } } }) : null;
    let { status, reason, completedAt } = r;
    const now = portStatus(r.direction, e?.state ?? null);
    if ((status === 'IN_PROGRESS' || status === 'REQUESTED') && now && now !== status) {
      status = now;
      if (now === 'COMPLETED' || now === 'REJECTED') {
        reason = e?.history[0]?.cause ?? null;
        completedAt = new Date();
        // settled once: later moves of the endpoint do not rewrite how the port ended
        await deps.db.portRequest.updateMany({ where: { id, status: r.status }, data: { status, reason, completedAt } });
      }
    }
    return {
      id: r.id, direction: r.direction === 'OUT' ? 'OUT' : 'IN', address: r.address, accountId: r.accountId, status, endpointState: e?.state ?? null,
      losingCarrier: r.losingCarrier, gainingCarrier: r.gainingCarrier, reason, requestedAt: r.requestedAt.toISOString(), completedAt: completedAt?.toISOString() ?? null,
    };
  };

  registry.registerPath({
    ...secured('PLATFORM', 'OPERATOR'), method: 'get', path: '/v1/ports/{id}', summary: 'A port request (in or out) and where it stands',
    request: { params: PortId }, responses: { 200: { description: 'the port request', ...json(PortView) }, 400: error, 401: error, 403: error, 404: error },
  });
  router.get('/v1/ports/:id', auth('PLATFORM', 'OPERATOR'), async (req, res) => {
    res.json(await portView(PortId.parse(req.params).id, principalOf(req)));
  });

  registry.registerPath({
    ...secured('PLATFORM'), method: 'post', path: '/v1/feedback',
    summary: "Quality feedback on an account's endpoint (0 useless .. 1 perfect): it moves the quality score, and a score below QUALITY_RETEST_BELOW sends the number back to testing",
    request: { body: json(Feedback) },
    responses: { 202: { description: 'passed to the endpoint' }, 400: error, 401: error, 403: error, 404: error },
  });
  router.post('/v1/feedback', auth('PLATFORM'), async (req, res) => {
    const body = Feedback.parse(req.body);
    const who = principalOf(req);
    ownAccount(who, body.accountId);
    const addr = addressField(body.address);
    await heldBy(deps.db, who, body.accountId, addr);
    try {
      await (await handle(addr)).signal(qualityReportSignal, { score: body.score, source: `account:${body.accountId}${body.source ? `/${body.source}` : ''}` });
    } catch (err) {
      refused(err, addr);
    }
    res.status(202).json({ status: 'accepted' });
  });

  return router;
}

