// API keys: `Authorization: Bearer ei_<prefix>_<secret>` (src/usecases/keys.ts
// checks them). Scopes: platform (acts for its accounts only), operator,
// carrier (its provider only), router (the call router's traffic feed and
// routing lookups). The key and its scope are checked before the body is
// read: a caller who may not call never has its body parsed.
import { createHash } from 'node:crypto';
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

/** The user name of a request's HTTP Basic credentials (the Twilio face: an AC or SK sid); undefined for a bearer key. */
export function basicUserOf(req: Request): string | undefined {
  return (req as Request & { basicUser?: string }).basicUser;
}

/** `Authorization: Basic base64(user:password)` → its parts; undefined when the header is not that. */
function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export interface AuthOptions {
  /** a revoked key keeps working this long at most */
  cacheMs?: number;
  /** at most this many presented keys (known or not) are remembered; the least recently used goes first */
  cacheMax?: number;
  limiter?: RateLimiter;
  /** requests without a valid key, per client address per minute (needs `limiter`) */
  unauthenticatedPerMinute?: number;
  /** reads the body (JSON parser and input checks); runs once the key and its scope are known to be good */
  body?: RequestHandler;
  /** notes each authenticated request's key (its `last used`; the recorder decides how often it writes) */
  noteUse?: (keyId: string) => void;
  /**
   * how the key is presented: `bearer` (default: `Authorization: Bearer <key>` or X-API-Key) or
   * `basic` (the Twilio face: HTTP Basic with the key as the password; the user name is kept for the route, basicUserOf)
   */
  credentials?: 'bearer' | 'basic';
  /** runs after the key is known and the body read (Idempotency-Key); false = already answered */
  after?: (req: Request, res: Response, who: Principal) => Promise<boolean>;
}

/** A map of at most `max` entries that forgets the least recently used first. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error('LruCache: max must be at least 1');
  }
  get size(): number {
    return this.map.size;
  }
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    // the most recently used is the last in insertion order
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
}

/** runs an Express middleware as a promise (its error rejects) */
function run(handler: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      // Express hands a middleware's failure to next(); it is an Error (or a body-parser error object) — passed on as it came
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejected with what the middleware reported, unchanged
      void handler(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrown as thrown
      reject(err);
    }
  });
}

/**
 * Checks the key (cached a short while, at most `cacheMax` keys), requires one
 * of `scopes`, counts the request against the key's rate limit, reads the
 * body, then applies `after` (idempotency). A request without a valid key
 * counts against its client address's limit: over it, 429 instead of 401, and
 * a key not seen lately is not even looked up.
 */
export function authenticate(db: Db, opts: AuthOptions = {}): Auth {
  const cacheMs = opts.cacheMs ?? 10_000;
  // a hash of the presented key: whatever its length, an entry costs the same
  const cache = new LruCache<string, { p: Principal | null; until: number }>(opts.cacheMax ?? 10_000);
  const cached = (hash: string) => {
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return hit;
    if (hit) cache.delete(hash);
    return undefined;
  };
  const lookup = async (key: string, hash: string): Promise<Principal | null> => {
    const p = await callerOfKey(db, key);
    cache.set(hash, { p, until: Date.now() + cacheMs });
    return p;
  };
  const anonymous = opts.limiter && opts.unauthenticatedPerMinute ? { limiter: opts.limiter, perMinute: opts.unauthenticatedPerMinute } : undefined;
  const clientOf = (req: Request) => `address:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
  /** a request that did not authenticate: one token of its address's bucket, or 429 */
  const refuse = async (req: Request, res: Response, err: Unauthorized): Promise<never> => {
    await anonymous?.limiter.take(clientOf(req), anonymous.perMinute, res, 'client address (requests without a valid API key)');
    throw err;
  };
  return (...scopes: Scope[]): RequestHandler =>
    async (req, res, next) => {
      const header = req.get('authorization');
      let key: string | undefined;
      if (opts.credentials === 'basic') {
        const basic = basicCredentials(header);
        if (!basic?.password)
          return refuse(req, res, new Unauthorized('Authorization: HTTP Basic credentials are required (account SID or API key SID, and the key)'));
        (req as Request & { basicUser?: string }).basicUser = basic.user;
        key = basic.password;
      } else {
        key = header?.startsWith('Bearer ') ? header.slice(7).trim() : req.get('x-api-key');
      }
      if (!key) return refuse(req, res, new Unauthorized('Authorization: missing API key (Authorization: Bearer <key>)'));
      const hash = createHash('sha256').update(key).digest('base64url');
      let p = cached(hash)?.p;
      if (p === undefined) {
        // an address already over its limit gets no more look-ups of keys it has not shown lately
        if (await anonymous?.limiter.exhausted(clientOf(req), anonymous.perMinute))
          return refuse(req, res, new Unauthorized('Authorization: unknown or revoked API key'));
        p = await lookup(key, hash);
      }
      if (!p) return refuse(req, res, new Unauthorized('Authorization: unknown or revoked API key'));
      if (!scopes.includes(p.scope))
        throw new Forbidden(`a ${p.scope.toLowerCase()} key cannot do this (needs ${scopes.map((s) => s.toLowerCase()).join(' or ')})`);
      (req as Request & { principal?: Principal }).principal = p;
      await opts.limiter?.take(p.keyId, p.rateLimit, res);
      opts.noteUse?.(p.keyId);
      if (opts.body) await run(opts.body, req, res);
      if (opts.after && !(await opts.after(req, res, p))) return;
      next();
    };
}
