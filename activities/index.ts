// Every activity, built from its dependencies (no globals), so tests can hand
// in their own database and the worker its own.
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import type { TestHarness } from '../src/harness/harness';
import { endpointActivities } from './endpoints';
import { inventoryActivities } from './inventory';
import type { Client } from '@temporalio/client';
import type { InventoryMonitorInput } from '../workflows/shared';

export interface ActivityDeps {
  db: Db;
  log: Logger;
  harness: TestHarness;
  /** for activities that message workflows (the monitor's wake-up) */
  client?: Client;
  monitorInput?: InventoryMonitorInput;
  taskQueue?: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...endpointActivities(deps.db, deps.harness),
    ...inventoryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
