// Builds the Temporal worker that hosts every workflow and activity. Used by
// workers/main.ts and by tests, which hand in their own connection and database.
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../src/config';
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface WorkerDeps {
  config: Pick<
    Config,
    | 'TEMPORAL_NAMESPACE'
    | 'TEMPORAL_TASK_QUEUE'
    | 'WORKER_MAX_CONCURRENT_ACTIVITIES'
    | 'WORKER_MAX_CACHED_WORKFLOWS'
    | 'SHUTDOWN_GRACE_MS'
  >;
  connection: NativeConnection;
  db: Db;
  log: Logger;
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.TEMPORAL_NAMESPACE,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ db: deps.db, log: deps.log }),
    maxConcurrentActivityTaskExecutions: deps.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: deps.config.WORKER_MAX_CACHED_WORKFLOWS,
    shutdownGraceTime: deps.config.SHUTDOWN_GRACE_MS,
  });
}
