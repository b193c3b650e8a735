// API keys: `Authorization: Bearer ei_<prefix>_<secret>` (src/usecases/keys.ts
// checks them). Scopes: platform (acts for its accounts only), operator,
// carrier (its provider only), router (the call router's traffic feed and
// routing lookups).
import type { RequestHandler, Request, Response } from 'express';
import type { Db } from '../../db/client';
import { HttpError } from '../errors';
import type { RateLimiter } from './rate-limit';
import type { Caller, Scope } from '../../domain/access';
import { callerOfKey } from '../../usecases/keys';

export type { Scope } from '../../domain/access';
/** the caller a request's key stands for */
export type Principal = Caller;

export class Unauthorized extends HttpError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}
export class Forbidden extends HttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

export function principalOf(req: Request): Principal {
  const p = (req as Request & { principal?: Principal }).principal;
  if (!p) throw new Unauthorized('Authorization: an API key is required');
  return p;
}

export type Auth = (...scopes: Scope[]) => RequestHandler;

export interface AuthOptions {
  /** a revoked key keeps working this long at most */
  cacheMs?: number;
  limiter?: RateLimiter;
  /** runs after the key is known (Idempotency-Key); false = already answered */
  after?: (req: Request, res: Response, who: Principal) => Promise<boolean>;
}

/**
 * Checks the key (cached a short while), requires one of `scopes`, counts the
 * request against the key's rate limit, then applies `after` (idempotency).
 */
export function authenticate(db: Db, opts: AuthOptions = {}): Auth {
  const cacheMs = opts.cacheMs ?? 10_000;
  const cache = new Map<string, { p: Principal | null; until: number }>();
  const lookup = async (key: string): Promise<Principal | null> => {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.p;
    const p = await callerOfKey(db, key);
    cache.set(key, { p, until: Date.now() + cacheMs });
    return p;
  };
  return (...scopes: Scope[]): RequestHandler =>
    async (req, res, next) => {
      const header = req.get('authorization');
      const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : req.get('x-api-key');
      if (!key) throw new Unauthorized('Authorization: missing API key (Authorization: Bearer <key>)');
      const p = await lookup(key);
      if (!p) throw new Unauthorized('Authorization: unknown or revoked API key');
      if (!scopes.includes(p.scope)) throw new Forbidden(`a ${p.scope.toLowerCase()} key cannot do this (needs ${scopes.map((s) => s.toLowerCase()).join(' or ')})`);
      (req as Request & { principal?: Principal }).principal = p;
      opts.limiter?.take(p.keyId, p.rateLimit, res);
      if (opts.after && !(await opts.after(req, res, p))) return;
      next();
    };
}
