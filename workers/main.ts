// `npm run worker`: runs the worker until SIGINT/SIGTERM, then finishes
// in-flight activities (up to SHUTDOWN_GRACE_MS) and closes its connections.
import { readFileSync } from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { loadConfig, monitorInput } from '../src/config';
import { ensureMonitor } from '../src/usecases/monitor';
import { createDb } from '../src/db/client';
import { createLogger } from '../src/logger';
import { TemporalGateway } from '../src/temporal/gateway';
import { createWorker } from './worker';
import { armFaults } from '../src/fault-injection';

async function main(): Promise<void> {
  const config = loadConfig();
  armFaults(config.FAULT_INJECTION);
  const log = createLogger(config.LOG_LEVEL, 'worker');
  // the SDK's own logs (bundler output, state changes) only when something is wrong
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const connection = await connectWithRetry(config.TEMPORAL_ADDRESS, log);
  try {
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
    log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker running');
    await worker.run();
    log.info('worker stopped');
  } finally {
    await connection.close();
    await db.$disconnect();
  }
}

/** The worker may start before the server answers: keep trying, say so. */
async function connectWithRetry(address: string, log: ReturnType<typeof createLogger>): Promise<NativeConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      if (attempt >= 30) throw err;
      log.warn({ address, attempt, err: (err as Error).message }, 'Temporal not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
