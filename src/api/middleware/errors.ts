// The one error handler: every failure becomes a JSON body with a code and a
// message; bad input is a 400 naming the field; nothing leaks a stack trace.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { BadRequest, HttpError, Unavailable } from '../errors';
import type { Logger } from '../../logger';

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof ZodError) {
      // an unknown field is named itself, not its parent
      const issues = err.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ field: [...i.path, k].join('.'), reason: 'unknown field' }))
          : [{ field: i.path.join('.') || '(body)', reason: i.message }],
      );
      res.status(400).json({
        error: { code: 'bad_request', message: issues.map((i) => `${i.field}: ${i.reason}`).join('; '), issues },
      });
      return;
    }
    if (err instanceof HttpError) {
      if (err instanceof Unavailable) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      const issues = err instanceof BadRequest && err.issues.length ? { issues: err.issues } : {};
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...issues, ...(err.details === undefined ? {} : { details: err.details }) } });
      return;
    }
    // body-parser's own errors carry a status and a type
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'malformed_json', message: `body: not valid JSON (${e.message})` } });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'body_too_large', message: 'body: larger than the limit' } });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: e.type ?? 'bad_request', message: e.message ?? 'bad request' } });
      return;
    }
    log.error({ err, path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
