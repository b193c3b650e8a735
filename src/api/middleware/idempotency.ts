// Idempotency-Key on every authenticated POST. The first request with a key
// runs and its answer is stored before it is sent; the same key with the same
// body gets that answer again (header Idempotent-Replayed: true) and nothing
// runs twice; the same key with another body is a 422; a duplicate arriving
// while the first is still running is a 409. Keys are per API key and kept
// IDEMPOTENCY_TTL. A 5xx answer is not kept: the retry runs again, as the same
// operation (the record keeps its operation id), so what the first attempt did
// in a workflow is answered, not done twice; once the record expired the key
// starts a new operation, even with the same body. What an
// answer shows once (a generated webhook secret) is not kept either: the
// replay has it null and says so in `notShownAgain`.
import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Db } from '../../db/client';
import { faultPoint } from '../../fault-injection';
import { completeKey, readKey, releaseKey, sweepKeys, takeKey } from '../../db/idempotency';
import { sweepResumes } from '../../db/endpoints';
import { HttpError } from '../errors';
import { BadRequest, Unprocessable } from '../../domain/errors';
import type { Principal } from './auth';
import { requestContext } from './requests';
import { PROBLEM_TYPE } from './errors';

const KEY = /^[\x21-\x7e]{1,255}$/;

export class InProgress extends HttpError {
  readonly retryAfterSeconds = 1;
  constructor() {
    super(409, 'idempotency_in_progress', 'Idempotency-Key: a request with this key is still running; retry shortly for its answer');
  }
}

/** JSON with sorted keys: the same body however its fields are ordered or spaced */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify gives undefined for undefined and functions; lib.d.ts says string
  return JSON.stringify(value) ?? 'null';
}

/**
 * The id of what this request does, for the workflow updates it sends: for a
 * request with an Idempotency-Key, the operation its idempotency record keeps
 * (the same for every retry while the record lives — after a 503, a lost
 * answer or a dead API process — so a retry lands on the same Temporal update
 * and gets its result instead of doing it again; a new one when the key is
 * used again after its record expired); a fresh id otherwise. UUID-shaped
 * (allocation claims store it).
 */
export function operationId(req: Request): string {
  const r = req as Request & { operationId?: string };
  r.operationId ??= randomUUID();
  return r.operationId;
}

/** what makes two requests "the same": method, path and the body's content */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonical(body ?? null)}`)
    .digest('hex');
}

/**
 * Fields of this answer shown once, each with what to tell a replay instead:
 * the stored answer has them null (an idempotency record never holds a secret).
 */
export function shownOnce(res: Response, fields: Record<string, string>): void {
  res.locals.shownOnce = { ...(res.locals.shownOnce as Record<string, string> | undefined), ...fields };
}

/** the answer as it is kept for a replay: every shown-once field that has a value replaced by null, and named */
export function keptAnswer(body: unknown, once: Record<string, string> | undefined): unknown {
  if (!once || !body || typeof body !== 'object' || Array.isArray(body)) return body;
  const fields = Object.keys(once).filter((f) => (body as Record<string, unknown>)[f] != null);
  if (!fields.length) return body;
  return {
    ...(body as Record<string, unknown>),
    ...Object.fromEntries(fields.map((f) => [f, null])),
    notShownAgain: Object.fromEntries(fields.map((f) => [f, once[f]!])),
  };
}

export interface IdempotencyOptions {
  ttlMs: number;
  leaseMs: number;
  onReplay?: () => void;
}

export function idempotency(db: Db, opts: IdempotencyOptions): (req: Request, res: Response, who: Principal) => Promise<boolean> {
  let sweeps = 0;
  /** true: the caller goes on to the route; false: answered here */
  return async (req, res, who) => {
    if (req.method !== 'POST') return true;
    const key = req.get('idempotency-key');
    if (key === undefined) return true;
    if (!KEY.test(key))
      throw new BadRequest('Idempotency-Key: 1-255 printable ASCII characters', [{ field: 'Idempotency-Key', reason: '1-255 printable ASCII characters' }]);
    const path = req.originalUrl.split('?')[0]!;
    const hash = requestHash(req.method, path, req.body);
    // take the key, or take it over when its record expired or its holder died
    const mine = await takeKey(db, {
      apiKeyId: who.keyId,
      key,
      method: req.method,
      path,
      requestHash: hash,
      expiresAt: new Date(Date.now() + opts.ttlMs),
      leaseMs: opts.leaseMs,
    });
    if (!mine) {
      const prior = await readKey(db, who.keyId, key);
      if (!prior || prior.status === 'RELEASED') throw new InProgress(); // it was just released by a 5xx: the retry may go again
      if (prior.requestHash !== hash) {
        throw new Unprocessable(`Idempotency-Key: already used for another request (${prior.method} ${prior.path} with another body); use a new key`);
      }
      if (prior.status === 'IN_PROGRESS') throw new InProgress();
      opts.onReplay?.();
      res.setHeader('Idempotent-Replayed', 'true');
      const status = prior.responseStatus ?? 200;
      // a refusal kept for the key is replayed as the problem it was (the Twilio face's error body is plain JSON)
      if (status >= 400 && typeof (prior.responseBody as { type?: unknown } | null)?.type === 'string') res.type(PROBLEM_TYPE);
      res.status(status).json(prior.responseBody);
      return false;
    }

    // what this request does: the operation its record keeps across retries
    (req as Request & { operationId?: string }).operationId = mine.operationId;

    if (++sweeps % 500 === 0) {
      void sweepKeys(db).catch(() => undefined);
      // what keyed allocations claimed is needed as long as their records are
      void sweepResumes(db, opts.ttlMs).catch(() => undefined);
    }

    // the answer is stored before it is sent: a crash after sending cannot make a retry run it twice
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const status = res.statusCode;
      // the fault suite's kill between the workflow update and the stored answer: the retry must land on the same update
      if (status < 300) faultPoint('api-after-update');
      const store =
        status >= 500 ? releaseKey(db, mine) : completeKey(db, mine, status, keptAnswer(body, res.locals.shownOnce as Record<string, string> | undefined));
      store.then(
        () => send(body),
        (err: unknown) => {
          requestContext(req)?.log.error({ err: (err as Error).message, key }, 'could not store the idempotent answer; a retry will wait out the lease');
          send(body);
        },
      );
      return res;
    };
    return true;
  };
}
