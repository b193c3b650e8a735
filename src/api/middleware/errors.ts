// The one error handler: every failure becomes an RFC 9457 problem details
// body (application/problem+json) with a stable machine `code` and the
// request id; bad input is a 400 naming each field; nothing leaks a stack
// trace. Unknown paths are a 404, a known path with a method it does not take
// a 405 with Allow — both problems too.
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { HttpError } from '../errors';
import { BadRequest, DomainError, type ErrorKind, type FieldIssue } from '../../domain/errors';
import type { Logger } from '../../logger';
import { requestContext } from './requests';
import { dependencyDown, postgresTransient } from '../../dependency';

/** a domain error's kind → the HTTP status it answers */
export const STATUS_OF: Record<ErrorKind, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409, unprocessable: 422, unavailable: 503 };

export const PROBLEM_TYPE = 'application/problem+json';
/** a problem's `type` is this followed by its `code` (docs/api.md lists them) */
export const PROBLEM_TYPE_BASE = 'urn:endpoint-inventory:problem:';

/** each code's title: the same for every occurrence (RFC 9457 §3.1.3) */
export const PROBLEM_TITLES: Record<string, string> = {
  bad_request: 'Bad request',
  malformed_json: 'Malformed JSON body',
  body_too_large: 'Body too large',
  unsupported_media_type: 'Unsupported media type',
  unsupported_encoding: 'Unsupported charset or content encoding',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  unknown_account: 'Unknown account',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  none_available: 'None available',
  not_enough_available: 'Not enough available',
  address_required: 'Address required by the country rules',
  kind_not_sold: 'Kind not sold in this country',
  account_cap_reached: "Account's cap for this country reached",
  stale_transition: 'Stale transition',
  idempotency_in_progress: 'Idempotent request still running',
  unprocessable: 'Unprocessable request',
  rate_limited: 'Too many requests',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
};

/** The problem details body every error answers with. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** the request's path */
  instance: string;
  requestId: string | undefined;
  /** stable machine-readable code (`type` ends with it) */
  code: string;
  /** bad input: each field and why */
  errors?: FieldIssue[];
  /** none_available: the criteria's tags */
  tags?: string[];
  /** unavailable: which dependency */
  dependency?: string;
  /** unavailable: what PostgreSQL refused the statement for */
  condition?: string;
  /** a country rule's refusal (address_required, kind_not_sold, account_cap_reached): the number's country and kind, the rules applied */
  country?: string;
  kind?: string;
  sources?: string[];
}

export function problem(req: Request, status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: PROBLEM_TITLES[code] ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: req.originalUrl.split('?')[0]!,
    requestId: requestContext(req)?.id,
    code,
    ...extra,
  };
}

/** sends a problem (through res.json: an Idempotency-Key's record keeps it) */
export function sendProblem(res: Response, p: Problem): void {
  res.status(p.status).type(PROBLEM_TYPE).json(p);
}

/** a path of the document (`/v1/orders/{id}/form.{format}`) as a pattern, with the methods it takes */
export interface KnownPath {
  pattern: RegExp;
  methods: string[];
}

export function knownPaths(paths: Record<string, Record<string, unknown>>): KnownPath[] {
  return Object.entries(paths).map(([template, item]) => {
    const source = template
      .split(/\{\w+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    const methods = ['get', 'post', 'put', 'patch', 'delete'].filter((m) => m in item).map((m) => m.toUpperCase());
    // as Express routes: a trailing slash is the same path
    return { pattern: new RegExp(`^${source}/?$`), methods: methods.includes('GET') ? [...methods, 'HEAD'] : methods };
  });
}

/** No route: a known path with another method is a 405 naming the ones it takes (Allow); anything else a 404. */
export function notFoundHandler(known: KnownPath[] = []): RequestHandler {
  return (req, res) => {
    const allowed = [...new Set(known.filter((k) => k.pattern.test(req.path)).flatMap((k) => k.methods))];
    if (allowed.length && !allowed.includes(req.method)) {
      res.setHeader('Allow', allowed.join(', '));
      return sendProblem(res, problem(req, 405, 'method_not_allowed', `${req.method} ${req.path}: this path takes ${allowed.join(', ')}`));
    }
    sendProblem(res, problem(req, 404, 'not_found', `no route ${req.method} ${req.path}`));
  };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof ZodError) {
      // an unknown field is named itself, not its parent
      const errors = err.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ field: [...i.path, k].join('.'), reason: 'unknown field' }))
          : [{ field: i.path.join('.') || '(body)', reason: i.message }],
      );
      return sendProblem(res, problem(req, 400, 'bad_request', errors.map((i) => `${i.field}: ${i.reason}`).join('; '), { errors }));
    }
    if (err instanceof DomainError || err instanceof HttpError) {
      const status = err instanceof DomainError ? STATUS_OF[err.kind] : err.status;
      const retry = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
      const errors = err instanceof BadRequest && err.issues.length ? { errors: err.issues } : {};
      // a code's data (none_available: tags; unavailable: dependency) are members of the problem (RFC 9457 §3.2)
      const details = err.details && typeof err.details === 'object' && !Array.isArray(err.details) ? (err.details as Partial<Problem>) : {};
      // what a dependency said, for the operator: the answer names the dependency only
      const cause = (err as { cause?: unknown }).cause;
      if (status === 503 && cause instanceof Error) {
        const inner = (cause as { cause?: unknown }).cause;
        (requestContext(req)?.log ?? log).warn(
          { err: cause.message, cause: inner instanceof Error ? inner.message : undefined, path: req.path },
          'dependency unavailable',
        );
      }
      return sendProblem(res, problem(req, status, err.code, err.message, { ...details, ...errors }));
    }
    // body-parser's own errors: the body as a whole is the field
    const e = err as { status?: number; type?: string; message?: string };
    const body = (code: string, reason: string, status = 400) =>
      sendProblem(res, problem(req, status, code, `(body): ${reason}`, { errors: [{ field: '(body)', reason }] }));
    if (e.type === 'entity.parse.failed') return body('malformed_json', `not valid JSON (${e.message})`);
    if (e.type === 'entity.too.large') return body('body_too_large', `larger than the limit of ${(e as { limit?: number }).limit ?? '?'} bytes`, 413);
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return body('unsupported_encoding', e.message ?? 'unsupported encoding', 415);
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return body(e.type ?? 'bad_request', e.message ?? 'bad request', e.status);
    // a dependency away is not a bug: 503, try again shortly (nothing half-done stays: every change is a transaction or a workflow update)
    // so is PostgreSQL out of disk, a deadlock, a lock or statement timeout, a serialization failure: the failed statement left nothing
    const down = dependencyDown(err);
    if (down) {
      const condition = down === 'postgres' ? postgresTransient(err) : null;
      (requestContext(req)?.log ?? log).warn({ err: (err as Error).message, dependency: down, condition, path: req.path }, 'dependency unavailable');
      res.setHeader('Retry-After', '5');
      const message = condition
        ? `PostgreSQL could not serve this request now (${condition}); retry shortly`
        : `${down === 'postgres' ? 'PostgreSQL' : 'Temporal'} is unavailable; retry shortly`;
      return sendProblem(res, problem(req, 503, 'unavailable', message, { dependency: down, ...(condition ? { condition } : {}) }));
    }
    (requestContext(req)?.log ?? log).error({ err, path: req.path }, 'unhandled error');
    sendProblem(res, problem(req, 500, 'internal', 'internal error'));
  };
}
