// Every request gets an id (the caller's X-Request-Id when it is sane, else a
// new one), echoed in the response and carried by every log line of the
// request; one access-log line and one latency observation when it finishes.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../logger';

export interface RequestContext {
  id: string;
  log: Logger;
}

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(req: Request): RequestContext | undefined {
  return (req as Request & { ctx?: RequestContext }).ctx;
}

/** the matched route's pattern (low cardinality for metrics), or `unmatched` */
export function routeOf(req: Request): string {
  const route: unknown = req.route; // express types it any
  const path = (route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
}

export function requestLogging(log: Logger, observe: (req: Request, status: number, seconds: number) => void): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && SANE_ID.test(given) ? given : randomUUID();
    const ctx: RequestContext = { id, log: log.child({ reqId: id }) };
    (req as Request & { ctx?: RequestContext }).ctx = ctx;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      observe(req, res.statusCode, seconds);
      const line = { method: req.method, route, path: req.path, status: res.statusCode, ms: Math.round(seconds * 10_000) / 10 };
      if (res.statusCode >= 500) ctx.log.error(line, 'request failed');
      else ctx.log.info(line, 'request');
    });
    next();
  };
}
