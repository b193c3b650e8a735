// What every command shares: where it writes, the settings (the same
// loadConfig() as the worker and the API), connections made only when a
// command needs them and closed at the end, and the exit codes scripts rely on.
import { ConfigError, loadConfig, type Config } from '../config';
import { createDb, type Db } from '../db/client';
import { ping } from '../db/health';
import { TemporalGateway } from '../temporal/gateway';

export const EXIT = {
  OK: 0,
  /** the command ran and found a problem: bad rows, drift left, an order that does not exist */
  PROBLEM: 1,
  /** the command was called wrongly: unknown command or option, bad argument, unreadable file, bad setting */
  USAGE: 2,
  /** PostgreSQL or Temporal (or, for check-now, the inventory monitor) could not be reached */
  UNREACHABLE: 3,
  /** something failed that the command did not expect (a bug, or an operation refused): the message says what */
  FAILED: 4,
  /** stopped by Ctrl-C */
  INTERRUPTED: 130,
} as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** settings; default process.env */
  env?: NodeJS.ProcessEnv;
  /** draw a progress bar (else plain progress lines) */
  stderrIsTTY?: boolean;
  /** aborted on Ctrl-C: long commands stop at the next safe point */
  signal?: AbortSignal;
}

/** An error with the exit code it means; its message is shown as it is. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT.USAGE);
export const problem = (message: string): CliError => new CliError(message, EXIT.PROBLEM);
export const unreachable = (message: string): CliError => new CliError(message, EXIT.UNREACHABLE);

/** How long the CLI waits for Temporal to answer a connection. */
const CONNECT_TIMEOUT_MS = 5_000;

export class CliContext {
  private cfg: Config | undefined;
  private database: Db | undefined;
  private temporalGateway: TemporalGateway | undefined;

  constructor(readonly io: Required<Pick<CliIo, 'stdout' | 'stderr'>> & CliIo) {}

  out(text: string): void {
    this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr(text.endsWith('\n') ? text : `${text}\n`);
  }

  get aborted(): boolean {
    return this.io.signal?.aborted ?? false;
  }

  config(): Config {
    try {
      this.cfg ??= loadConfig(this.io.env ?? process.env);
    } catch (err) {
      if (err instanceof ConfigError) throw usageError(err.message);
      throw err;
    }
    return this.cfg;
  }

  /** PostgreSQL, checked with one query so an unreachable database is told apart from everything else. */
  async db(): Promise<Db> {
    if (this.database) return this.database;
    const url = this.config().DATABASE_URL;
    const db = createDb(url, 4);
    try {
      await ping(db);
    } catch (err) {
      await db.$disconnect().catch(() => undefined);
      throw unreachable(`PostgreSQL at ${redact(url)} could not be reached: ${dependencyReason(err)}`);
    }
    this.database = db;
    return db;
  }

  /** Temporal, connected once (an unreachable server told apart from everything else); workflows start on TEMPORAL_TASK_QUEUE. */
  async gateway(): Promise<TemporalGateway> {
    if (this.temporalGateway) return this.temporalGateway;
    const c = this.config();
    let gateway: TemporalGateway;
    try {
      gateway = TemporalGateway.fromConfig(c, CONNECT_TIMEOUT_MS);
    } catch (err) {
      throw usageError((err as Error).message); // an unreadable certificate file
    }
    try {
      await gateway.client();
    } catch (err) {
      throw unreachable(`Temporal at ${c.TEMPORAL_ADDRESS} could not be reached: ${(err as Error).message}`);
    }
    this.temporalGateway = gateway;
    return gateway;
  }

  async close(): Promise<void> {
    await this.temporalGateway?.close().catch(() => undefined);
    this.temporalGateway = undefined;
    await this.database?.$disconnect().catch(() => undefined);
    this.database = undefined;
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const GRPC_UNAVAILABLE = 14;

/** A connection lost after it was made: the database or Temporal went away mid-command. */
export function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string } } }; message?: string; name?: string; cause?: unknown };
    if (typeof x.code === 'string' && UNREACHABLE_CODES.has(x.code)) return true;
    if (UNREACHABLE_KINDS.has(x.meta?.driverAdapterError?.cause?.kind ?? '')) return true;
    // the Temporal client's ServiceError, told by its name (only src/temporal imports the client)
    if (x.name === 'ServiceError' && (x.cause as { code?: number } | undefined)?.code === GRPC_UNAVAILABLE) return true;
    if (typeof x.code === 'number' && x.code === GRPC_UNAVAILABLE && /UNAVAILABLE/.test(x.message ?? '')) return true;
  }
  return false;
}

/** Prisma's driver errors say the useful part in their metadata, not in their first line. */
function dependencyReason(err: unknown): string {
  const kind = (err as { meta?: { driverAdapterError?: { cause?: { kind?: string; [field: string]: unknown } } } }).meta?.driverAdapterError?.cause;
  if (kind?.kind) {
    const detail = Object.entries(kind)
      .filter(([k]) => k !== 'kind')
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
    return `${kind.kind}${detail ? ` (${detail})` : ''}`;
  }
  const message = (err as Partial<Error>).message ?? String(err); // not every throw is an Error
  return (
    message
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? message
  );
}

/** The shortest honest message of an error: the last meaningful line of Prisma's long ones. */
export function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const lines = err.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 1 && /invocation/.test(lines[0] ?? '') ? lines[lines.length - 1]! : err.message;
}
