// Time-skipping environments for timer-heavy workflow tests: the Java test
// server (io.temporal:temporal-test-server) started through
// scripts/java-test-server.sh, a fresh one per test so each starts at "now".
// Workflow code is bundled once per run.
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { createWorker, WORKFLOWS_PATH } from '../../workers/worker';
import { createDb, type Db } from '../../src/db/client';
import { lifecyclePolicy } from '../../src/config';
import { SimulatedHarness, type FailureRates } from '../../src/harness/harness';
import { SEARCH_ATTRIBUTE_NAMES, type LifecyclePolicy } from '../../workflows/shared';
import { temporal } from '@temporalio/proto';
import { stack, testConfig, testLog } from './stack';

const SERVER = join(__dirname, '..', '..', 'scripts', 'java-test-server.sh');

let bundle: Promise<{ code: string }> | undefined;
export function workflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } });
  return bundle;
}

let tsDb: Db | undefined;
export function timeskipDb(): Db {
  tsDb ??= createDb(stack().timeskipDatabaseUrl, 10);
  return tsDb;
}

export async function timeskipEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: SERVER } },
  });
  // the test server starts with none of our search attributes
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_NAMES.map((n) => [n, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return env;
}

export const TASK_QUEUE = 'timeskip';

export async function timeskipWorker(env: TestWorkflowEnvironment, rates: FailureRates = {}): Promise<Worker> {
  return createWorker({
    config: testConfig({ TEMPORAL_TASK_QUEUE: TASK_QUEUE }),
    connection: env.nativeConnection,
    db: timeskipDb(),
    log: testLog,
    harness: new SimulatedHarness(rates),
    workflowBundle: await workflowBundle(),
  });
}

/** The production defaults: 30 days' quarantine, 45 days' aging, 15-day extensions. */
export function defaultPolicy(): LifecyclePolicy {
  return lifecyclePolicy(testConfig());
}
