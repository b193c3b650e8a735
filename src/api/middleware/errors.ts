// The one error handler: every failure becomes a JSON body with a code and a
// message; bad input is a 400 naming the field; nothing leaks a stack trace.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { HttpError } from '../errors';
import { BadRequest, DomainError, type ErrorKind } from '../../domain/errors';
import type { Logger } from '../../logger';
import { requestContext } from './requests';
import { dependencyDown, postgresTransient } from '../../dependency';

/** a domain error's kind → the HTTP status it answers */
export const STATUS_OF: Record<ErrorKind, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409, unprocessable: 422, unavailable: 503 };

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = requestContext(req)?.id;
    if (err instanceof ZodError) {
      // an unknown field is named itself, not its parent
      const issues = err.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ field: [...i.path, k].join('.'), reason: 'unknown field' }))
          : [{ field: i.path.join('.') || '(body)', reason: i.message }],
      );
      res.status(400).json({
        error: { code: 'bad_request', message: issues.map((i) => `${i.field}: ${i.reason}`).join('; '), issues, requestId },
      });
      return;
    }
    if (err instanceof DomainError || err instanceof HttpError) {
      const status = err instanceof DomainError ? STATUS_OF[err.kind] : err.status;
      const retry = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
      const issues = err instanceof BadRequest && err.issues.length ? { issues: err.issues } : {};
      res
        .status(status)
        .json({ error: { code: err.code, message: err.message, ...issues, ...(err.details === undefined ? {} : { details: err.details }), requestId } });
      return;
    }
    // body-parser's own errors carry a status and a type
    const e = err as { status?: number; type?: string; message?: string };
    // body-parser's own errors: the body as a whole is the field
    const body = (code: string, reason: string, status = 400) =>
      res.status(status).json({ error: { code, message: `(body): ${reason}`, issues: [{ field: '(body)', reason }], requestId } });
    if (e.type === 'entity.parse.failed') return void body('malformed_json', `not valid JSON (${e.message})`);
    if (e.type === 'entity.too.large') return void body('body_too_large', `larger than the limit of ${(e as { limit?: number }).limit ?? '?'} bytes`);
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported')
      return void body('unsupported_encoding', e.message ?? 'unsupported encoding', 415);
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return void body(e.type ?? 'bad_request', e.message ?? 'bad request', e.status);
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
      res.status(503).json({ error: { code: 'unavailable', message, details: { dependency: down, ...(condition ? { condition } : {}) }, requestId } });
      return;
    }
    (requestContext(req)?.log ?? log).error({ err, path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error', requestId } });
  };
}
