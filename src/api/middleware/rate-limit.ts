// Requests per minute per API key, a token bucket per key in this process
// (each API process counts on its own). Over the limit: 429 with Retry-After
// and the RateLimit-* headers.
import type { Response } from 'express';
import { HttpError } from '../errors';

export class TooManyRequests extends HttpError {
  constructor(readonly retryAfterSeconds: number, limit: number) {
    super(429, 'rate_limited', `rate limit: more than ${limit} requests per minute for this API key; retry after ${retryAfterSeconds} s`);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly defaultPerMinute: number, private readonly now: () => number = Date.now) {}

  /** Takes one token for `keyId` or throws TooManyRequests; sets the RateLimit headers either way. */
  take(keyId: string, perMinute: number | null, res: Response): void {
    const limit = perMinute ?? this.defaultPerMinute;
    const now = this.now();
    const b = this.buckets.get(keyId) ?? { tokens: limit, at: now };
    b.tokens = Math.min(limit, b.tokens + ((now - b.at) / 60_000) * limit);
    b.at = now;
    this.buckets.set(keyId, b);
    res.setHeader('RateLimit-Limit', String(limit));
    if (b.tokens < 1) {
      const wait = Math.max(1, Math.ceil(((1 - b.tokens) * 60) / limit));
      res.setHeader('RateLimit-Remaining', '0');
      throw new TooManyRequests(wait, limit);
    }
    b.tokens -= 1;
    res.setHeader('RateLimit-Remaining', String(Math.floor(b.tokens)));
    // a map of every key ever seen would only grow: full buckets carry no state
    if (this.buckets.size > 10_000) for (const [k, v] of this.buckets) if (v.tokens >= limit - 1) this.buckets.delete(k);
  }
}
