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
import { temporalCall } from './errors';

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

  constructor(
    private readonly address: string,
    readonly namespace: string,
    private readonly connectTimeoutMs = 5_000,
    /** where workflows this gateway starts run */
    readonly taskQueue: string = TASK_QUEUE,
  ) {}

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
    const other = new TemporalGateway(this.address, this.namespace, this.connectTimeoutMs, taskQueue);
    other.parent = this;
    other.owned = false;
    return other;
  }

  /** The long-lived client: one per gateway, made on first use and again after a failed connect. */
  client(): Promise<Client> {
    if (this.parent) return this.parent.client();
    this.connecting ??= Connection.connect({
      address: this.address,
      connectTimeout: this.connectTimeoutMs,
      // an API request answers 503 within a couple of seconds of Temporal going away
      // (4 attempts ≈ 0.1 + 0.17 + 0.29 s of backoff) instead of retrying for half a minute
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
    }).then(
      (connection) => new Client({ connection, namespace: this.namespace }),
      (err: unknown) => {
        this.connecting = undefined;
        throw err;
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
    const client = await withTimeout(this.client(), timeoutMs, 'connect');
    const conn = client.connection as Connection;
    await conn.withDeadline(Date.now() + timeoutMs, () => conn.healthService.check({}));
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
