// Prisma CLI settings. The datasource URL comes from DATABASE_URL; `generate`
// does not need it, so a placeholder keeps it working before any database exists.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/endpoint_inventory',
  },
});
