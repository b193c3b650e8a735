// The one way to Temporal for the API, the CLI, activities and scripts: one
// long-lived Client (connected lazily and again after a failure, so the API
// starts — and /ready reports Temporal down — while the server is away), and
// a typed handle per workflow whose methods throw domain errors: NotFound (no
// such workflow), Conflict (an update refused, with the workflow's reason),
// Unavailable (Temporal unreachable). Workflow types are referenced by their
// functions, never by strings.
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { TASK_QUEUE } from '../../workflows/shared';
import { EndpointWorkflows, EndpointWorkflow } from './endpoints';
import { OrderWorkflow, OrderWorkflows } from './orders';
import { MonitorWorkflow } from './monitor';
import { AccountWorkflows } from './accounts';
import { InactivityWorkflow } from './inactivity';
import { temporalCall } from './errors';
import { diagnoseConnection, explainConnectError, temporalTarget, type TemporalTarget } from './connection';
import type { Config } from '../config';

/** TEMPORAL_UPDATE_WAIT's default */
export const DEFAULT_UPDATE_WAIT_MS = 25_000;

export class TemporalGateway {
  private connecting: Promise<Client> | undefined;
  /** false: the client's connection belongs to whoever handed it in */
  private owned = true;
  /** a gateway on another task queue shares this one's client */
  private parent: TemporalGateway | undefined;
  /** endpoint lifecycle workflows as a whole: start, list */
  readonly endpoints = new EndpointWorkflows(this);
  /** provider order workflows as a whole: late deliveries */
  readonly orders = new OrderWorkflows(this);
  /** the inventory monitor (one) */
  readonly monitor = new MonitorWorkflow(this);
  /** account deactivations: the grace period's timer, then the release of the account's numbers */
  readonly accounts = new AccountWorkflows(this);
  /** the inactivity policy's sweeper (one) */
  readonly inactivity = new InactivityWorkflow(this);

  private readonly target: TemporalTarget;
  /** how long a workflow update's outcome is waited for (TEMPORAL_UPDATE_WAIT), then Unavailable: the update may still apply */
  updateWaitMs = DEFAULT_UPDATE_WAIT_MS;

  constructor(
    /** an address (plain gRPC) or a whole target: TLS, API key (src/temporal/connection.ts) */
    target: string | TemporalTarget,
    readonly namespace: string,
    private readonly connectTimeoutMs = 5_000,
    /** where workflows this gateway starts run */
    readonly taskQueue: string = TASK_QUEUE,
  ) {
    this.target = typeof target === 'string' ? { address: target } : target;
  }

  /** The settings' gateway: TEMPORAL_ADDRESS, its TLS and API key, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE. */
  static fromConfig(c: Config, connectTimeoutMs?: number): TemporalGateway {
    const gateway = new TemporalGateway(temporalTarget(c), c.TEMPORAL_NAMESPACE, connectTimeoutMs, c.TEMPORAL_TASK_QUEUE);
    gateway.updateWaitMs = c.TEMPORAL_UPDATE_WAIT;
    return gateway;
  }

  /** A gateway over a client made elsewhere (a worker's activities, tests). */
  static fromClient(client: Client, taskQueue: string = TASK_QUEUE): TemporalGateway {
    const gateway = new TemporalGateway('(given client)', client.options.namespace, 0, taskQueue);
    gateway.connecting = Promise.resolve(client);
    gateway.owned = false;
    return gateway;
  }

  /** The same gateway (its connection, made or remade on demand), starting workflows on another task queue. */
  onTaskQueue(taskQueue: string): TemporalGateway {
    if (taskQueue === this.taskQueue) return this;
    const other = new TemporalGateway(this.target, this.namespace, this.connectTimeoutMs, taskQueue);
    other.updateWaitMs = this.updateWaitMs;
    other.parent = this;
    other.owned = false;
    return other;
  }

  /** The long-lived client: one per gateway, made on first use and again after a failed connect. */
  client(): Promise<Client> {
    if (this.parent) return this.parent.client();
    this.connecting ??= Connection.connect({
      ...this.target,
      connectTimeout: this.connectTimeoutMs,
      // an API request answers 503 within a couple of seconds of Temporal going away
      // (4 attempts ≈ 0.1 + 0.17 + 0.29 s of backoff) instead of retrying for half a minute
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
    }).then(
      (connection) => new Client({ connection, namespace: this.namespace }),
      async (err: unknown) => {
        this.connecting = undefined;
        throw await this.explained(err);
      },
    );
    return this.connecting;
  }

  endpoint(address: string): EndpointWorkflow {
    return new EndpointWorkflow(this, address);
  }

  order(orderId: string): OrderWorkflow {
    return new OrderWorkflow(this, orderId);
  }

  /** How many workflows a visibility query matches (metrics). */
  async countWorkflows(query: string): Promise<number> {
    return temporalCall(async () => (await (await this.client()).workflow.count(query)).count);
  }

  /** Resolves when the frontend answers its health check within `timeoutMs`. */
  async check(timeoutMs: number): Promise<void> {
    let client: Client;
    try {
      client = await withTimeout(this.client(), timeoutMs, 'connect');
    } catch (err) {
      throw await this.explained(err);
    }
    const conn = client.connection as Connection;
    await conn.withDeadline(Date.now() + timeoutMs, () => conn.healthService.check({}));
  }

  /** A failed connect's error, with what a TLS probe of the address learns (a refused certificate reads as a timeout otherwise). */
  private async explained(err: unknown): Promise<Error> {
    if (!(err instanceof Error)) return new Error(String(err));
    if (err.message.includes(' — ')) return err;
    const why = await diagnoseConnection(this.target).catch(() => undefined);
    err.message = why ? `${err.message} — ${why}` : explainConnectError(this.target, err);
    return err;
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    this.connecting = undefined;
    if (pending && this.owned) await (await pending.catch(() => undefined))?.connection.close();
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
