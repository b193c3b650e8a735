// The fault suite's HTTP client: one request until it has a final answer.
// 5xx, 429, "idempotency in progress" and network errors are retried, POSTs
// with the same Idempotency-Key; a request without a final answer by its
// deadline is given up and named (method, path, last answer, why).
import { randomUUID } from 'node:crypto';
import { sleep } from '../stack';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** the raw text, for the leak checks */
  text: string;
}

export interface GivenUp {
  method: string;
  path: string;
  attempts: number;
  /** the last answer (status and body, cut) or network error */
  last: string;
  why: string;
  at: string;
}

export class Http {
  readonly status: Record<string, number> = {};
  retries = 0;
  readonly givenUp: GivenUp[] = [];

  constructor(
    private readonly base: string,
    private readonly deadlineMs = 120_000,
  ) {}

  /** `opts`: a slow operation's own limits (an operator's check-now waits for the monitor's pass) */
  async call(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    key: string,
    body?: unknown,
    opts: { attemptMs?: number; deadlineMs?: number } = {},
  ): Promise<Answer | null> {
    const idem = method === 'POST' ? randomUUID() : undefined;
    const deadlineMs = opts.deadlineMs ?? this.deadlineMs;
    const deadline = Date.now() + deadlineMs;
    let last: string;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${this.base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(idem ? { 'idempotency-key': idem } : {}) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(opts.attemptMs ?? 30_000),
        });
        const text = await res.text();
        this.status[res.status] = (this.status[res.status] ?? 0) + 1;
        last = `${res.status} ${text.slice(0, 200)}`;
        if (res.status < 500 && res.status !== 429 && !(res.status === 409 && text.includes('idempotency_in_progress')))
          return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, text };
      } catch (err) {
        this.status.network = (this.status.network ?? 0) + 1;
        last = `network: ${(err as Error).message}`;
      }
      if (Date.now() > deadline) {
        this.givenUp.push({
          method,
          path,
          attempts: attempt,
          last,
          why: `no final answer within ${Math.round(deadlineMs / 1000)} s (every attempt a 5xx, 429, in-progress or network error)`,
          at: new Date().toISOString(),
        });
        return null;
      }
      this.retries++;
      await sleep(Math.min(200 * 2 ** Math.min(attempt - 1, 4), 3000));
    }
  }
}
