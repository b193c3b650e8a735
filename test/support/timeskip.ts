// Time-skipping environments for timer-heavy workflow tests: the Java test
// server (io.temporal:temporal-test-server) started through
// scripts/java-test-server.sh, a fresh one per test so each starts at "now".
// Workflow code is bundled once per run.
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { createWorker, WORKFLOWS_PATH } from '../../workers/worker';
import { createDb, type Db } from '../../src/db/client';
import { harnessTimeouts, lifecyclePolicy, type Config } from '../../src/config';
import { simulatedHarness, type Harness, type SimulatedHarness } from '../../src/harness/harness';
import type { FailureRates } from '../../src/domain/harness';
import { TemporalGateway } from '../../src/temporal/gateway';
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

/**
 * A worker whose capability tests go through the simulated carrier network
 * (src/harness/harness.ts): each test's arrival reaches the inbound use case,
 * and the workflow, before the request is answered; `failures` makes media
 * fail (e.g. { voice: { not_delivered: 1 } }).
 */
export async function timeskipWorker(
  env: TestWorkflowEnvironment,
  failures: FailureRates = {},
  opts: { settings?: Record<string, string>; harness?: (config: Config) => Harness } = {},
): Promise<Worker> {
  const config = testConfig({ TEMPORAL_TASK_QUEUE: TASK_QUEUE, ...opts.settings });
  return createWorker({
    config,
    connection: env.nativeConnection,
    db: timeskipDb(),
    log: testLog,
    harness: opts.harness?.(config) ?? timeskipHarness(env, config, failures),
    workflowBundle: await workflowBundle(),
  });
}

/** The simulated network of a time-skipping test: change its `config` to change what it does next. */
export function timeskipHarness(env: TestWorkflowEnvironment, config: Config, failures: FailureRates = {}): SimulatedHarness {
  return simulatedHarness({ db: timeskipDb(), temporal: TemporalGateway.fromClient(env.client, TASK_QUEUE) }, { timeouts: harnessTimeouts(config), failures });
}

/** The production defaults: 30 days' quarantine, 45 days' aging, 15-day extensions. */
export function defaultPolicy(): LifecyclePolicy {
  return lifecyclePolicy(testConfig());
}
