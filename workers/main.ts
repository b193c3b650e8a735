#!/usr/bin/env node
// `npm run worker`: runs the worker until SIGINT/SIGTERM, then finishes
// in-flight activities (up to SHUTDOWN_GRACE_MS) and closes its connections.
import { existsSync, readFileSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { ConfigError, inactivitySettings, loadConfig, monitorInput } from '../src/config';
import { ensureMonitor } from '../src/usecases/monitor';
import { resumeDeactivations } from '../src/usecases/accounts';
import { createDb } from '../src/db/client';
import { createLogger } from '../src/logger';
import { TemporalGateway } from '../src/temporal/gateway';
import { describeTarget, explainConnectError, temporalTarget, type TemporalTarget } from '../src/temporal/connection';
import { ensureSearchAttributes } from '../src/temporal/search-attributes';
import { PREBUILT_BUNDLE, createWorker } from './worker';
import { refuseDemoState } from '../src/usecases/production';
import { armFaults } from '../src/fault-injection';
import { installRuntime } from './runtime';
import { freeLoopbackAddress, serveWorkerMetrics, type WorkerMetricsServer } from './metrics';

async function main(): Promise<void> {
  const config = loadConfig();
  armFaults(config.FAULT_INJECTION);
  const log = createLogger(config.LOG_LEVEL, 'worker');
  // before any connection: the SDK's logs through pino, its metrics on a loopback port our /metrics reads
  const sdkMetricsAddress = config.WORKER_METRICS_ADDRESS ? (config.WORKER_SDK_METRICS_ADDRESS ?? (await freeLoopbackAddress())) : undefined;
  installRuntime({ log, sdkLevel: config.WORKER_SDK_LOG_LEVEL, ...(sdkMetricsAddress ? { sdkMetricsAddress } : {}) });
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  if (config.EI_MODE === 'production') await refuseDemoState(db);
  const connection = await connectWithRetry(temporalTarget(config), log);
  let metrics: WorkerMetricsServer | undefined;
  try {
    if (config.WORKER_METRICS_ADDRESS && sdkMetricsAddress) {
      metrics = await serveWorkerMetrics({ address: config.WORKER_METRICS_ADDRESS, sdkAddress: sdkMetricsAddress, metricsKey: config.METRICS_KEY, log });
      log.info({ url: metrics.url, sdk: sdkMetricsAddress, key: Boolean(config.METRICS_KEY) }, 'worker metrics served');
    }
    // where the cluster lets a client register them; elsewhere the log names what to register
    await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE, { info: (l) => log.info(l), warn: (l) => log.warn(l) });
    const worker = await createWorker({
      config,
      connection,
      db,
      log,
      ...(config.WORKER_WORKFLOW_BUNDLE ? { workflowBundle: { code: readFileSync(config.WORKER_WORKFLOW_BUNDLE, 'utf8') } } : {}),
    });
    // the monitor and its Schedule: started once, whichever worker comes first
    const temporal = TemporalGateway.fromClient(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config.TEMPORAL_TASK_QUEUE);
    if (config.WORKER_START_MONITOR)
      ensureMonitor(temporal, { input: monitorInput(config), periodMs: config.MONITOR_PERIOD })
        .then(() => log.info({ periodMs: config.MONITOR_PERIOD }, 'inventory monitor and its schedule in place'))
        .catch((err: unknown) => log.error({ err: (err as Error).message }, 'could not start the inventory monitor'));
    // the inactivity policy's sweeper, when the policy is on: started once, whichever worker comes first
    if (config.INACTIVITY_NOTIFY_AFTER > 0)
      temporal.inactivity
        .ensure()
        .then(() => log.info(inactivitySettings(config), 'inactivity policy in place'))
        .catch((err: unknown) => log.error({ err: (err as Error).message }, 'could not start the inactivity policy'));
    // deactivated accounts whose timer never started (their deactivation's answer was lost) get it now
    resumeDeactivations({ db, temporal })
      .then((n) => n && log.info({ accounts: n }, 'account deactivations in place'))
      .catch((err: unknown) => log.error({ err: (err as Error).message }, 'could not put account deactivations in place'));
    log.info(
      {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        namespace: config.TEMPORAL_NAMESPACE,
        temporal: describeTarget(temporalTarget(config)),
        workflows: existsSync(PREBUILT_BUNDLE) ? `prebuilt bundle ${PREBUILT_BUNDLE}` : 'bundled at start',
      },
      'worker running',
    );
    await worker.run();
    log.info('worker stopped');
  } finally {
    await metrics?.close();
    await connection.close();
    await db.$disconnect();
  }
}

/** The worker may start before the server answers: keep trying, say so. */
async function connectWithRetry(target: TemporalTarget, log: ReturnType<typeof createLogger>): Promise<NativeConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect(target);
    } catch (err) {
      if (attempt >= 30) throw new Error(`Temporal at ${describeTarget(target)}: ${explainConnectError(target, err)}`, { cause: err });
      log.warn({ temporal: describeTarget(target), attempt, err: explainConnectError(target, err) }, 'Temporal not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

main().catch((err: unknown) => {
  // a refused setting is the operator's to fix: its message, not a stack
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
