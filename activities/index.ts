// Every activity, built from its dependencies (no globals), so tests can hand
// in their own database and the worker its own.
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import { endpointActivities } from './endpoints';

export interface ActivityDeps {
  db: Db;
  log: Logger;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...endpointActivities(deps.db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
