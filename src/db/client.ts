// One Prisma client per process, over node-postgres (no engine binary).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type Db = PrismaClient;

export function createDb(url: string, poolSize = 10): Db {
  const adapter = new PrismaPg({
    connectionString: url,
    max: poolSize,
    // fail fast when the database is unreachable instead of queueing forever
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
}
