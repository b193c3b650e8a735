// Requests per minute per API key, counted in PostgreSQL so that every API
// process (replica) draws on the same budget (src/db/rate-limits.ts:
// rate-limiter-flexible's store, a fixed one-minute window per budget);
// requests without a valid key count per client address instead. Over the
// limit: 429 with Retry-After and the RateLimit-* headers.
//
// When the store fails (the database slow past RATE_LIMIT_STORE_TIMEOUT_MS, or
// unreachable) the request is not refused for it: it is counted in this
// process instead (the same limit, per process — what each replica allowed
// before the limits were shared), the failure is counted in
// endpoint_inventory_rate_limit_store_errors_total and logged (one line per
// 10 s at most, with how many failed). A database outage degrades the limit to
// per-replica; it never takes the API down with it.
import type { Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitCount, RateLimitStore } from '../../db/rate-limits';
import { HttpError } from '../errors';

export class TooManyRequests extends HttpError {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
    what = 'API key',
  ) {
    super(429, 'rate_limited', `rate limit: more than ${limit} requests per minute for this ${what}; retry after ${retryAfterSeconds} s`);
  }
}

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** This process's own counts: the fallback while the shared store fails. */
function processStore(windowMs: number): RateLimitStore {
  const memory = new RateLimiterMemory({ points: 2_147_483_647, duration: windowMs / 1000, keyPrefix: '' });
  const countOf = (r: RateLimiterRes): RateLimitCount => ({ consumed: r.consumedPoints, msBeforeNext: r.msBeforeNext });
  return {
    async consume(key) {
      return countOf(await memory.consume(key, 1));
    },
    async peek(key) {
      const r = await memory.get(key);
      return r ? countOf(r) : null;
    },
    async close() {},
  };
}

export class RateLimiter {
  private readonly fallback = processStore(RATE_LIMIT_WINDOW_MS);

  /**
   * @param store shared by every API process; without one, this process counts alone
   * @param onStoreError each failed count (the request was counted in this process instead)
   */
  constructor(
    private readonly defaultPerMinute: number,
    private readonly store?: RateLimitStore,
    private readonly onStoreError: (err: unknown) => void = () => {},
  ) {}

  /** `id`'s budget, keyed with its limit: a changed limit starts afresh */
  private key(id: string, limit: number): string {
    return `${id}/${limit}`;
  }

  private async count<T>(run: (s: RateLimitStore) => Promise<T>): Promise<T> {
    if (!this.store) return run(this.fallback);
    try {
      return await run(this.store);
    } catch (err) {
      this.onStoreError(err);
      return run(this.fallback);
    }
  }

  /** Whether `id` has no request left in its window (nothing counted). */
  async exhausted(id: string, perMinute: number | null): Promise<boolean> {
    const limit = perMinute ?? this.defaultPerMinute;
    const c = await this.count((s) => s.peek(this.key(id, limit)));
    return c !== null && c.consumed >= limit;
  }

  /** Counts one request for `id` (a key id, or a client address) or throws TooManyRequests; sets the RateLimit headers either way. */
  async take(id: string, perMinute: number | null, res: Response, what?: string): Promise<void> {
    const limit = perMinute ?? this.defaultPerMinute;
    const c = await this.count((s) => s.consume(this.key(id, limit)));
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - c.consumed)));
    if (c.consumed > limit) throw new TooManyRequests(Math.max(1, Math.ceil(c.msBeforeNext / 1000)), limit, what);
  }
}
