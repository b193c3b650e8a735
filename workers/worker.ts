// Builds the Temporal worker that hosts every workflow and activity. Used by
// workers/main.ts and by tests, which hand in their own connection and database.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { harnessTimeouts, inactivitySettings, lifecyclePolicy, monitorInput, releasePrediction, type Config } from '../src/config';
import { carrierHarness, simulatedHarness, type Harness } from '../src/harness/harness';
import { TemporalGateway } from '../src/temporal/gateway';
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';

export const WORKFLOWS_PATH = require.resolve('../workflows');
/** `npm run build`'s prebuilt workflow bundle (dist/workflow-bundle.js), beside the compiled worker; absent when run from source */
export const PREBUILT_BUNDLE = join(__dirname, '..', 'workflow-bundle.js');

export interface WorkerDeps {
  config: Config;
  connection: NativeConnection;
  db: Db;
  log: Logger;
  /** for activities that message workflows; omitted: one over `connection` */
  client?: Client;
  /** default: the one HARNESS names (harnessFor) */
  harness?: Harness;
  /** default: the prebuilt bundle when there is one, else the worker bundles workflows/ itself */
  workflowBundle?: { code: string } | { codePath: string };
  /** another workflowsPath (the benchmarks add their baseline workflows) */
  workflowsPath?: string;
}

/**
 * The capability tests' harness the settings name: the carriers' test-call
 * APIs (HARNESS=carrier), or the simulated network inside this worker, whose
 * arrivals reach the inbound use case through `client`.
 */
export function harnessFor(config: Config, db: Db, client: Client): Harness {
  const timeouts = harnessTimeouts(config);
  if (config.HARNESS === 'simulated') {
    const temporal = TemporalGateway.fromClient(client, config.TEMPORAL_TASK_QUEUE);
    return simulatedHarness({ db, temporal }, { timeouts, failures: config.HARNESS_SIMULATED_FAILURES, seed: config.HARNESS_SIMULATED_SEED });
  }
  return carrierHarness(db, {
    fallbackProviderId: config.HARNESS_CARRIER,
    http: { timeoutMs: config.CARRIER_HTTP_TIMEOUT },
    timeouts,
  });
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const client = deps.client ?? new Client({ connection: deps.connection, namespace: deps.config.TEMPORAL_NAMESPACE });
  const workflowBundle = deps.workflowBundle ?? (!deps.workflowsPath && existsSync(PREBUILT_BUNDLE) ? { codePath: PREBUILT_BUNDLE } : undefined);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.TEMPORAL_NAMESPACE,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: deps.workflowsPath ?? WORKFLOWS_PATH }),
    activities: createActivities({
      db: deps.db,
      log: deps.log,
      harness: deps.harness ?? harnessFor(deps.config, deps.db, client),
      client,
      monitorInput: monitorInput(deps.config),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      policy: lifecyclePolicy(deps.config),
      formsDir: deps.config.ORDER_FORMS_DIR,
      carrierHttp: { timeoutMs: deps.config.CARRIER_HTTP_TIMEOUT },
      retention: { retentionMs: deps.config.HISTORY_RETENTION, webhookToleranceMs: deps.config.WEBHOOK_TOLERANCE },
      unmetPerAccount: deps.config.UNMET_DEMAND_PER_ACCOUNT,
      inactivity: inactivitySettings(deps.config),
      releasePrediction: releasePrediction(deps.config),
      platformWebhook:
        deps.config.PLATFORM_WEBHOOK_URL && deps.config.PLATFORM_WEBHOOK_SECRET
          ? { url: deps.config.PLATFORM_WEBHOOK_URL, secret: deps.config.PLATFORM_WEBHOOK_SECRET }
          : undefined,
    }),
    maxConcurrentActivityTaskExecutions: deps.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: deps.config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: deps.config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    shutdownGraceTime: deps.config.SHUTDOWN_GRACE_MS,
  });
}
