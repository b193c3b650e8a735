// Requests per minute per API key, a token bucket per key in this process
// (each API process counts on its own); requests without a valid key count
// per client address instead. Over the limit: 429 with Retry-After and the
// RateLimit-* headers.
import type { Response } from 'express';
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

interface Bucket {
  tokens: number;
  at: number;
  limit: number;
}

/** buckets kept at most (full ones are forgotten first; a forgotten bucket starts full) */
const MAX_BUCKETS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly defaultPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** the bucket refilled to now (not stored) */
  private refilled(id: string, limit: number): Bucket {
    const now = this.now();
    const b = this.buckets.get(id) ?? { tokens: limit, at: now, limit };
    return { tokens: Math.min(limit, b.tokens + ((now - b.at) / 60_000) * limit), at: now, limit };
  }

  /** Whether `id` has no token left now (nothing taken). */
  exhausted(id: string, perMinute: number | null): boolean {
    return this.refilled(id, perMinute ?? this.defaultPerMinute).tokens < 1;
  }

  /** Takes one token for `id` (a key id, or a client address) or throws TooManyRequests; sets the RateLimit headers either way. */
  take(id: string, perMinute: number | null, res: Response, what?: string): void {
    const limit = perMinute ?? this.defaultPerMinute;
    const b = this.refilled(id, limit);
    this.buckets.delete(id); // the most recently used last: the oldest go first when there are too many
    this.buckets.set(id, b);
    res.setHeader('RateLimit-Limit', String(limit));
    if (b.tokens < 1) {
      const wait = Math.max(1, Math.ceil(((1 - b.tokens) * 60) / limit));
      res.setHeader('RateLimit-Remaining', '0');
      throw new TooManyRequests(wait, limit, what);
    }
    b.tokens -= 1;
    res.setHeader('RateLimit-Remaining', String(Math.floor(b.tokens)));
    // a map of every key and address ever seen would only grow: full buckets carry no state
    if (this.buckets.size > MAX_BUCKETS) {
      for (const [k, v] of this.buckets) if (this.refilled(k, v.limit).tokens >= v.limit - 1) this.buckets.delete(k);
      for (const k of this.buckets.keys()) {
        if (this.buckets.size <= MAX_BUCKETS) break;
        this.buckets.delete(k);
      }
    }
  }
}
