// Is this error a dependency being away (PostgreSQL or Temporal down,
// restarting, or unreachable) rather than a bug? Those answer 503 with
// Retry-After: the request did nothing that a retry cannot do again.
const PG_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', // admin shutdown, crash shutdown, cannot connect now
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
  '53300', // too many connections
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024', // Prisma: unreachable, timed out, closed, pool timeout
]);
const PG_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database server|server closed the connection|the database system is (starting up|shutting down|in recovery mode)|DatabaseNotReachable|Client has encountered a connection error/i;

/** gRPC status codes Temporal's client reports when the server is away */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE = 4;

export type Dependency = 'postgres' | 'temporal';

export function dependencyDown(err: unknown): Dependency | null {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: unknown; message?: unknown; name?: unknown; kind?: unknown; originalCode?: unknown };
    const code = typeof x.code === 'string' ? x.code : typeof x.originalCode === 'string' ? x.originalCode : undefined;
    const message = typeof x.message === 'string' ? x.message : '';
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- name is whatever the thrower set; a non-string one simply does not match
    if (typeof x.code === 'number' && (x.code === GRPC_UNAVAILABLE || x.code === GRPC_DEADLINE) && /^(ServiceError|Error)$/.test(String(x.name ?? 'Error'))) return 'temporal';
    if (x.name === 'ServiceError' || x.name === 'TransportError' || /Failed to connect before the deadline|failed to connect to Temporal|14 UNAVAILABLE|4 DEADLINE_EXCEEDED/.test(message)) return 'temporal';
    if ((code && PG_CODES.has(code)) || PG_MESSAGES.test(message) || x.kind === 'DatabaseNotReachable') return 'postgres';
  }
  return null;
}
