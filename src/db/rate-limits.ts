// The API's rate-limit windows, shared by every API process: the `rate_limits`
// table (our migration makes it; the store is told so and never creates one),
// written only by rate-limiter-flexible's PostgreSQL store — one atomic
// INSERT … ON CONFLICT per request, and a DELETE of windows that ended an hour
// ago every 5 minutes. Its own small pool, with a short timeout on every
// query: a slow or unreachable database makes a count fail fast (the caller
// then counts in its own process) instead of holding requests or the API's
// main pool.
import { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

/** A window's count: requests counted in it so far, and when it ends. */
export interface RateLimitCount {
  consumed: number;
  msBeforeNext: number;
}

export interface RateLimitStore {
  /** counts one request against `key` in its current window (opened now, `windowMs` long, when none is open) */
  consume(key: string): Promise<RateLimitCount>;
  /** the current window's count without counting (null: no open window) */
  peek(key: string): Promise<RateLimitCount | null>;
  close(): Promise<void>;
}

export const RATE_LIMIT_TABLE = 'rate_limits';
/** the store refuses a count above its `points`: ours compares with each budget's own limit instead */
const UNBOUNDED = 2_147_483_647;

const countOf = (r: RateLimiterRes): RateLimitCount => ({ consumed: r.consumedPoints, msBeforeNext: r.msBeforeNext });

export function postgresRateLimitStore(
  url: string,
  opts: { windowMs: number; timeoutMs: number; poolSize?: number; onPoolError?: (err: Error) => void },
): RateLimitStore {
  const pool = new Pool({
    connectionString: url,
    max: opts.poolSize ?? 4,
    connectionTimeoutMillis: opts.timeoutMs,
    // the client gives up, and the server too (no upsert left waiting on a row lock)
    query_timeout: opts.timeoutMs,
    statement_timeout: opts.timeoutMs,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  // an idle connection the server dropped: the next count opens another (unhandled, it would end the process)
  pool.on('error', (err) => opts.onPoolError?.(err));
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    keyPrefix: '',
    points: UNBOUNDED,
    duration: Math.ceil(opts.windowMs / 1000),
  });
  return {
    async consume(key) {
      try {
        return countOf(await limiter.consume(key, 1));
      } catch (err) {
        // the store rejects with its answer (not an Error) only over `points`, which no window reaches
        if (err instanceof RateLimiterRes) return countOf(err);
        throw err;
      }
    },
    async peek(key) {
      const r = await limiter.get(key);
      return r ? countOf(r) : null;
    },
    close: () => pool.end(),
  };
}
