#!/usr/bin/env node
// `npm run migrate`: applies pending migrations to DATABASE_URL.
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  const result = await migrate(config.DATABASE_URL, (line) => console.log(line));
  console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already in place`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
