// Is this error a dependency being away (PostgreSQL or Temporal down,
// restarting, or unreachable) or momentarily unable to serve (PostgreSQL out
// of disk, a deadlock, a lock or statement timeout, a serialization failure)
// rather than a bug? Those answer 503 with Retry-After: the request did
// nothing that a retry cannot do again (every change is one statement, a
// transaction or a workflow update, and an aborted one left nothing behind).
const PG_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03', // admin shutdown, crash shutdown, cannot connect now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // connection exceptions
  '53300', // too many connections
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024', // Prisma: unreachable, timed out, closed, pool timeout
]);
/** SQLSTATEs of a server that is there but cannot serve this statement now: worth a retry */
export const PG_TRANSIENT: Record<string, string> = {
  '53000': 'insufficient resources',
  '53100': 'disk full',
  '53200': 'out of memory',
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '55P03': 'lock not available (lock timeout)',
  '57014': 'query cancelled (statement timeout)',
  // Prisma's name for a write conflict or deadlock (40001 / 40P01 through the driver adapter)
  P2034: 'write conflict or deadlock',
};
const PG_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database server|server (has )?closed the connection|the database system is (starting up|shutting down|in recovery mode)|DatabaseNotReachable|Client has encountered a connection error/i;

/** gRPC status codes Temporal's client reports when the server is away */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE = 4;

export type Dependency = 'postgres' | 'temporal';

/** The error and what it wraps: `cause`, and Prisma's driver-adapter error in `meta`. */
function* chain(err: unknown): Generator<Record<string, unknown>> {
  const todo: unknown[] = [err];
  for (let n = 0; todo.length && n < 16; n++) {
    const e = todo.shift();
    if (!e || typeof e !== 'object') continue;
    const x = e as Record<string, unknown>;
    yield x;
    todo.push(x.cause);
    const meta = x.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') todo.push(meta.driverAdapterError, meta);
  }
}

/** A SQLSTATE (or Prisma code) an error carries, as PostgreSQL, node-postgres or Prisma report it. */
function codeOf(x: Record<string, unknown>): string | undefined {
  if (typeof x.code === 'string') return x.code;
  if (typeof x.originalCode === 'string') return x.originalCode;
  return undefined;
}

/** What made PostgreSQL refuse the statement for now (disk full, deadlock, …), or null. */
export function postgresTransient(err: unknown): string | null {
  for (const x of chain(err)) {
    const code = codeOf(x);
    if (code && Object.hasOwn(PG_TRANSIENT, code)) return PG_TRANSIENT[code]!;
    // a raw query's failure names the SQLSTATE in its message: "Raw query failed. Code: `40P01`. …"
    const m = typeof x.message === 'string' ? /Code: `([0-9A-Z]{5})`/.exec(x.message) : null;
    if (m && Object.hasOwn(PG_TRANSIENT, m[1]!)) return PG_TRANSIENT[m[1]!]!;
  }
  return null;
}

export function dependencyDown(err: unknown): Dependency | null {
  for (const x of chain(err)) {
    const code = codeOf(x);
    const message = typeof x.message === 'string' ? x.message : '';
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- name is whatever the thrower set; a non-string one simply does not match
    if (typeof x.code === 'number' && (x.code === GRPC_UNAVAILABLE || x.code === GRPC_DEADLINE) && /^(ServiceError|Error)$/.test(String(x.name ?? 'Error')))
      return 'temporal';
    if (
      x.name === 'ServiceError' ||
      x.name === 'TransportError' ||
      /Failed to connect before the deadline|failed to connect to Temporal|14 UNAVAILABLE|4 DEADLINE_EXCEEDED/.test(message)
    )
      return 'temporal';
    if ((code && PG_CODES.has(code)) || PG_MESSAGES.test(message) || x.kind === 'DatabaseNotReachable') return 'postgres';
  }
  return postgresTransient(err) ? 'postgres' : null;
}
