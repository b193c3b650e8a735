// The real parts the tests run against, started once per mocha run by the
// global fixture (test/support/global.ts): a private PostgreSQL cluster and an
// in-memory Temporal dev server, on ports of their own so a running demo
// (PostgreSQL :5432, Temporal :7233) is left alone.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { PostgresHandle } from '../../scripts/lib/stack';
import type { Managed } from '../../scripts/lib/stack';
import { createDb, type Db } from '../../src/db/client';
import { createLogger } from '../../src/logger';
import { loadConfig, type Config } from '../../src/config';
import { createApiKey } from '../../src/usecases/keys';

export const TEST_PG_PORT = Number(process.env.EI_TEST_PG_PORT ?? 55432);
export const TEST_TEMPORAL_PORT = Number(process.env.EI_TEST_TEMPORAL_PORT ?? 7333);
export const TEST_DB = 'endpoint_inventory_test';
/** the time-skipping suites' own database: their workflows live on another server */
export const TIMESKIP_DB = 'endpoint_inventory_timeskip';

export interface TestStack {
  pg: PostgresHandle;
  temporal: Managed;
  databaseUrl: string;
  timeskipDatabaseUrl: string;
  temporalAddress: string;
}

let current: TestStack | undefined;

export function setStack(s: TestStack | undefined): void {
  current = s;
}

export function stack(): TestStack {
  if (!current) throw new Error('test stack not started: run tests through `npm test` (mocha loads test/support/global.ts)');
  return current;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const s = stack();
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: s.databaseUrl,
    TEMPORAL_ADDRESS: s.temporalAddress,
    SHUTDOWN_GRACE_MS: '1000',
    // every suite's apps count rate limits in the one test database (shared budgets, as replicas do),
    // and the run's keys are shared: the suites that test limits set their own (a budget per limit)
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1000000',
    // the carrier simulator's test traffic inside each test's worker; test/api/harness.test.ts runs HARNESS=carrier over HTTP
    HARNESS: 'simulated',
    ...overrides,
  });
}

export const testLog = createLogger(process.env.LOG_LEVEL ?? 'silent', 'test');

let sharedDb: Db | undefined;
/** One Prisma client for the whole run (closed by the global teardown). */
export function db(): Db {
  sharedDb ??= createDb(stack().databaseUrl, 20);
  return sharedDb;
}

export async function closeShared(): Promise<void> {
  await sharedDb?.$disconnect();
  sharedDb = undefined;
}

export async function temporalClient(): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: stack().temporalAddress });
  return { client: new Client({ connection }), connection };
}

export async function nativeConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: stack().temporalAddress });
}

/**
 * The dev-server suites' shared task queue: workflows left open at the end
 * must stay queryable for the final reconciliation, whose worker serves it.
 */
export const SHARED_TASK_QUEUE = 'tests';

/** A task queue of its own per test, so workers of different tests never mix. */
export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${Math.random().toString(36).slice(2, 8)}`;
}

const keys = new Map<string, Promise<string>>();
/** One API key per scope (and account list) for the whole run. */
export function apiKey(scope: 'OPERATOR' | 'PLATFORM' | 'CARRIER' | 'ROUTER', accountIds: string[] = []): Promise<string> {
  const id = `${scope}:${accountIds.join(',')}`;
  if (!keys.has(id)) {
    keys.set(
      id,
      (async () => {
        for (const a of accountIds) await db().account.upsert({ where: { id: a }, create: { id: a, name: a }, update: {} });
        return (await createApiKey(db(), { name: `test ${id}`, scope, accountIds })).key;
      })(),
    );
  }
  return keys.get(id)!;
}
