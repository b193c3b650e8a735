// The API's way to Temporal: connects lazily and again after a failure, so the
// API starts (and /ready reports Temporal down) while the server is away.
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

export class TemporalGateway {
  private connecting: Promise<Connection> | undefined;

  constructor(
    private readonly address: string,
    readonly namespace: string,
    private readonly connectTimeoutMs = 5_000,
  ) {}

  private connection(): Promise<Connection> {
    this.connecting ??= Connection.connect({
      address: this.address,
      connectTimeout: this.connectTimeoutMs,
      // an API request answers 503 within a couple of seconds of Temporal going away
      // (4 attempts ≈ 0.1 + 0.17 + 0.29 s of backoff) instead of retrying for half a minute
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
    }).catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  async client(): Promise<Client> {
    return new Client({ connection: await this.connection(), namespace: this.namespace });
  }

  /** Resolves when the frontend answers its health check within `timeoutMs`. */
  async check(timeoutMs: number): Promise<void> {
    const conn = await withTimeout(this.connection(), timeoutMs, 'connect');
    await conn.withDeadline(Date.now() + timeoutMs, () => conn.healthService.check({}));
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    this.connecting = undefined;
    if (pending) await (await pending.catch(() => undefined))?.close();
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
