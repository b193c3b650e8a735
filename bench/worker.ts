// The benchmarks' worker process: the production worker with bench/workflows.ts
// (production workflows + the baselines). Run as a child so its memory is its own.
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { createLogger } from '../src/logger';
import { createWorker } from '../workers/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createWorker({
    config,
    connection,
    db,
    log: createLogger('warn', 'bench-worker'),
    workflowsPath: require.resolve('./workflows'),
  });
  // the ingest benchmark's memory case asks for the heap (RSS it reads from /proc)
  process.on('message', (m) => {
    if (m === 'memory') process.send?.({ memory: process.memoryUsage() });
  });
  process.send?.('ready');
  await worker.run();
  await connection.close();
  await db.$disconnect();
  // the IPC listener above would keep the process alive
  if (process.connected) process.disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
