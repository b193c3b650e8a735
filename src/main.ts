#!/usr/bin/env node
// `npm run api`: serves the Express facade until SIGINT/SIGTERM, then stops
// taking connections, lets in-flight requests finish and closes its clients.
import type { Server } from 'node:http';
import { ConfigError, loadConfig, monitorInput } from './config';
import { MonitorNotifier } from './usecases/monitor';
import { createDb } from './db/client';
import { createLogger } from './logger';
import { TemporalGateway } from './temporal/gateway';
import { buildApp, rateLimitStore } from './api/app';
import type { UsageRecorder } from './usecases/usage';
import { refuseDemoState } from './usecases/production';
import { armFaults } from './fault-injection';

async function main(): Promise<void> {
  const config = loadConfig();
  armFaults(config.FAULT_INJECTION);
  const log = createLogger(config.LOG_LEVEL, 'api');
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  if (config.EI_MODE === 'production') await refuseDemoState(db);
  const temporal = TemporalGateway.fromConfig(config, config.READY_TIMEOUT_MS);
  const notifier = MonitorNotifier.forGateway(temporal, {
    input: monitorInput(config),
    coalesceMs: config.MONITOR_SIGNAL_COALESCE,
    onError: (err) => log.warn({ err: (err as Error).message }, 'could not signal the inventory monitor'),
  });
  const rateLimits = rateLimitStore(config, log);
  const app = buildApp({ db, temporal, log, config, notifier, rateLimits });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.API_PORT, config.API_HOST, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.API_PORT;
  log.info({ url: `http://${config.API_HOST}:${port}` }, 'api listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'api stopping');
    const force = setTimeout(() => {
      log.warn('grace period over; closing open connections');
      server.closeAllConnections();
    }, config.SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      // allSettled does not reject
      // the usage counted since the last flush is written before the database goes
      void (app.locals.usage as UsageRecorder).stop().finally(
        () =>
          void Promise.allSettled([temporal.close(), db.$disconnect(), rateLimits.close()]).then(() => {
            log.info('api stopped');
            process.exit(0);
          }),
      );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  // a refused setting is the operator's to fix: its message, not a stack
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
