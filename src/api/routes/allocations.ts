// Allocation: one endpoint by address, or the best AVAILABLE match for
// criteria. A criteria request claims a candidate row for a few seconds
// (FOR UPDATE SKIP LOCKED: concurrent requests spread over the candidates and
// never share one) and asks that endpoint's workflow to allocate it; the
// workflow's compare-and-set is the final word. Platform keys, for their
// own accounts only.
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { errorResponse as error, jsonContent as json, secured, z } from '../openapi';
import { HttpError } from '../errors';
import { BadRequest, Conflict, NotFound } from '../../domain/errors';
import { principalOf, type Auth } from '../middleware/auth';
import { operationId } from '../middleware/idempotency';
import type { Db } from '../../db/client';
import { normaliseTags, TagError } from '../../domain/classification';
import { addressField, areaCode, countryCode } from '../input';
import type { TemporalGateway } from '../../temporal/gateway';
import { allocateUpdate, endpointWorkflowId, type EndpointStatus } from '../../../workflows/shared';

export const CriteriaSchema = z
  .object({
    country: countryCode.optional(),
    npa: areaCode.optional(),
    nxx: z.string().regex(/^\d{6}$/, 'npa + nxx, 6 digits').optional(),
    kind: z.enum(['mobile', 'fixed_line', 'fixed_line_or_mobile', 'toll_free', 'short_code', 'sip']).optional(),
    capabilities: z.array(z.enum(['voice', 'sms', 'mms', 'fax'])).max(4).optional(),
    tags: z.array(z.string().max(100)).max(8).optional(),
  })
  .strict()
  .openapi('Criteria');
const Allocate = z
  .object({
    accountId: z.string().min(1).max(64),
    address: z.string().min(1).max(100).optional(),
    criteria: CriteriaSchema.optional(),
    applicationUri: z.string().max(2000).optional(),
  })
  .strict()
  .refine((b) => (b.address === undefined) !== (b.criteria === undefined), { message: 'give either address or criteria', path: ['criteria'] })
  .openapi('AllocationRequest');

/** How long a claim holds a candidate while its workflow allocates it. */
const CLAIM_SECONDS = 30;
/**
 * How many of the best matches a claim looks at before it locks one. Only
 * claims still in flight (uncommitted) can take a whole window; then the claim
 * looks again at every match.
 */
export const CLAIM_WINDOW = 64;
/** How far down the shelf (best first) a claim walks before it looks up its matches by their tags instead. */
export const CLAIM_WALK = 1000;
const MAX_CANDIDATES = 5;

export interface AllocationDeps {
  db: Db;
  temporal: TemporalGateway;
  notify: () => void;
}

export type Criteria = z.infer<typeof CriteriaSchema>;

export function criteriaTags(c: Criteria): string[] {
  const tags = [
    ...(c.country ? [`country:${c.country.toLowerCase()}`] : []),
    ...(c.npa ? [`npa:${c.npa}`] : []),
    ...(c.nxx ? [`nxx:${c.nxx}`] : []),
    ...(c.kind ? [`kind:${c.kind}`] : []),
    ...(c.capabilities ?? []).map((x) => `cap:${x}`),
    ...(c.tags ?? []),
  ];
  if (!tags.length) throw new BadRequest('criteria: give at least one criterion', [{ field: 'criteria', reason: 'give at least one criterion' }]);
  try {
    return normaliseTags(tags);
  } catch (err) {
    if (err instanceof TagError) throw new BadRequest(`criteria.tags: ${err.reason}`, [{ field: 'criteria.tags', reason: err.reason }]);
    throw err;
  }
}

type Client = Awaited<ReturnType<TemporalGateway['client']>>;

/**
 * Claims the best AVAILABLE, unclaimed match for `tags` for CLAIM_SECONDS, in
 * one statement. First the best CLAIM_WINDOW matches are found without locks,
 * two ways, each bounded: for criteria without an area code or exchange, a
 * walk down the top CLAIM_WALK of the shelf, best first
 * (endpoints_available_best_idx) — enough when they match much of the shelf
 * (country:us, cap:sms), where sorting every match cost ~1 s over 600,000
 * endpoints; when the walk finds fewer than a window (or for an area code),
 * the matches themselves through the tags index, top-N sorted.
 * (The second is kept off the best-first index on purpose: a walk that does
 * not stop early reads the whole shelf.) Then the first of the window nobody
 * holds is locked (SKIP LOCKED: concurrent claims spread over the window and
 * never share a row; the lock re-checks state and claim). Only when every row
 * of a full window was held by claims in flight does it look at every match.
 * A keyed request also records what it claimed, so its retry resumes there.
 */
export async function claimCandidate(
  db: Db,
  input: { tags: string[]; token: string; except?: string; resumable: boolean },
): Promise<{ id: string; address: string } | undefined> {
  const except = input.except ?? '';
  // an area code or exchange narrows the matches to one place: straight to the tags index
  const walk = input.tags.some((t) => t.startsWith('npa:') || t.startsWith('nxx:')) ? 0 : CLAIM_WALK;
  for (const window of [CLAIM_WINDOW, null]) {
    const [row] = await db.$queryRaw<{ id: string | null; address: string | null; seen: number }[]>`
      WITH walked AS MATERIALIZED (
        SELECT id FROM (
          SELECT id, address, classifier_tags, claimed_until FROM endpoints
           WHERE state = 'AVAILABLE'
           ORDER BY quality_score DESC NULLS LAST, address
           LIMIT ${walk}::int) best
         WHERE classifier_tags @> ${input.tags}::text[] AND (claimed_until IS NULL OR claimed_until < now()) AND address <> ${except}
         LIMIT ${window}::int
      ), candidates AS MATERIALIZED (
        SELECT id FROM walked
        UNION ALL
        SELECT id FROM (
          SELECT id FROM endpoints
           WHERE state = 'AVAILABLE' AND classifier_tags @> ${input.tags}::text[]
             AND (claimed_until IS NULL OR claimed_until < now()) AND address <> ${except}
           ORDER BY quality_score + 0 DESC NULLS LAST, address
           LIMIT ${window}::int) matched
         WHERE ${window}::int IS NULL OR (SELECT count(*) FROM walked) < ${window}::int
      ), claimed AS (
        UPDATE endpoints SET claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS}), claim_token = ${input.token}::uuid
         WHERE id = (
           SELECT id FROM endpoints
            WHERE id = ANY (ARRAY(SELECT id FROM candidates))
              AND state = 'AVAILABLE' AND (claimed_until IS NULL OR claimed_until < now())
            ORDER BY quality_score + 0 DESC NULLS LAST, address
            LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, address
      ), resume AS (
        INSERT INTO allocation_resumes (token, endpoint_id)
        SELECT ${input.token}::uuid, id FROM claimed WHERE ${input.resumable}
        ON CONFLICT (token) DO UPDATE SET endpoint_id = EXCLUDED.endpoint_id, created_at = now()
      )
      SELECT (SELECT id::text FROM claimed) AS id, (SELECT address FROM claimed) AS address,
             (SELECT count(DISTINCT id) FROM candidates)::int AS seen`;
    if (row?.id && row.address) return { id: row.id, address: row.address };
    // fewer matches than a window: none left that nobody holds
    if (window === null || (row?.seen ?? 0) < window) return undefined;
  }
  return undefined;
}

/**
 * Allocation itself, shared by /v1/allocations and /v1/exchanges: by address,
 * or the best AVAILABLE match for criteria. Throws 404/409 HttpErrors.
 */
export function allocator(deps: AllocationDeps) {
  // the update id makes a retried request the same update: a first attempt that was applied is answered, not repeated
  const allocateAddress = async (client: Client, address: string, accountId: string, applicationUri: string | undefined, actor: string, operation: string): Promise<EndpointStatus> =>
    client.workflow.getHandle(endpointWorkflowId(address)).executeUpdate(allocateUpdate, { args: [{ accountId, applicationUri, actor }], updateId: `${operation}:allocate` });

  return {
    async byAddress(input: { address: string; accountId: string; applicationUri?: string; actor: string; operation: string }): Promise<EndpointStatus> {
      const client = await deps.temporal.client();
      try {
        const status = await allocateAddress(client, input.address, input.accountId, input.applicationUri, input.actor, input.operation);
        deps.notify();
        return status;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new NotFound(`address: no managed endpoint ${input.address}`);
        if (err instanceof WorkflowUpdateFailedError) throw new Conflict((err.cause as Error)?.message ?? 'refused');
        throw err;
      }
    },

    /** `operation` (a UUID) is also the claim token; a keyed request's retry finds the endpoint its first attempt claimed in allocation_resumes */
    async byCriteria(input: { criteria: Criteria; accountId: string; applicationUri?: string; actor: string; except?: string; operation: string; /** the operation id comes from an Idempotency-Key: an earlier attempt may have claimed one */ resumable?: boolean }): Promise<EndpointStatus> {
      const tags = criteriaTags(input.criteria);
      const client = await deps.temporal.client();
      const token = input.operation;
      const [earlier] = input.resumable
        ? await deps.db.$queryRaw<{ address: string }[]>`SELECT e.address FROM allocation_resumes r JOIN endpoints e ON e.id = r.endpoint_id WHERE r.token = ${token}::uuid`
        : [];
      if (earlier) {
        try {
          const status = await allocateAddress(client, earlier.address, input.accountId, input.applicationUri, input.actor, token);
          deps.notify();
          return status;
        } catch (err) {
          // that attempt did not allocate it and it has moved on: claim afresh
          if (!(err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      for (let attempt = 0; attempt < MAX_CANDIDATES; attempt++) {
        const candidate = await claimCandidate(deps.db, { tags, token, except: input.except, resumable: input.resumable === true });
        if (!candidate) break;
        try {
          const status = await allocateAddress(client, candidate.address, input.accountId, input.applicationUri, input.actor, token);
          deps.notify();
          return status;
        } catch (err) {
          // Anything but a refusal (Temporal unreachable, a timeout) may have
          // allocated it after all: keep the claim, so the client's retry with
          // its Idempotency-Key resumes on this endpoint with the same update
          // id instead of allocating a second one (the claim lapses by itself).
          if (!(err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)) throw err;
          // it moved on (or has no workflow): let it go and take the next candidate
          await deps.db.$executeRaw`UPDATE endpoints SET claimed_until = NULL, claim_token = NULL WHERE id = ${candidate.id}::uuid AND claim_token = ${token}::uuid`;
        }
      }
      // demand the shelf could not meet: the monitor weighs it
      await deps.db.unmetSearch.create({ data: { tags, accountId: input.accountId } });
      deps.notify();
      throw new HttpError(409, 'none_available', `none available: no AVAILABLE endpoint matches ${tags.join(' + ')}`, { tags });
    },
  };
}

export function allocationRoutes(deps: AllocationDeps, registry: OpenAPIRegistry, auth: Auth): Router {
  const router = Router();
  const allocate = allocator(deps);
  registry.registerPath({
    ...secured('PLATFORM'), method: 'post', path: '/v1/allocations', summary: 'Allocate an endpoint to an account: by address, or the best match for criteria',
    request: { body: json(Allocate) },
    responses: { 201: { description: 'allocated: the endpoint status', ...json(z.record(z.string(), z.unknown())) }, 400: error, 401: error, 403: error, 404: error, 409: error },
  });

  router.post('/v1/allocations', auth('PLATFORM'), async (req, res) => {
    const body = Allocate.parse(req.body);
    const who = principalOf(req);
    // another account's business does not exist for this key
    if (!who.accountIds.includes(body.accountId)) throw new NotFound(`accountId: no account ${body.accountId} for this key`);
    const actor = `key:${who.name}`;
    const operation = operationId(req);
    const status =
      body.address !== undefined
        ? await allocate.byAddress({ address: addressField(body.address), accountId: body.accountId, applicationUri: body.applicationUri, actor, operation })
        : await allocate.byCriteria({ criteria: body.criteria!, accountId: body.accountId, applicationUri: body.applicationUri, actor, operation, resumable: req.get('idempotency-key') !== undefined });
    res.status(201).json(status);
  });

  return router;
}
