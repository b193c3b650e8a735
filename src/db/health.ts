// The readiness probe's question to PostgreSQL.
import type { Db } from './client';

/** Resolves when PostgreSQL answers a query. */
export async function ping(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
