// Every activity, built from its dependencies (no globals), so tests can hand
// in their own database and the worker its own.
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import type { TestHarness } from '../src/harness/harness';
import { endpointActivities } from './endpoints';

export interface ActivityDeps {
  db: Db;
  log: Logger;
  harness: TestHarness;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...endpointActivities(deps.db, deps.harness),
  };
}

export type Activities = ReturnType<typeof createActivities>;
