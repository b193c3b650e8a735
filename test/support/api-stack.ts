// An API suite's parts on the test stack: a Temporal client, an in-process
// worker on the config's task queue, a gateway and the app served on a free
// port — started in `before`, stopped in `after` with stop().
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import type { Config } from '../../src/config';
import { TemporalGateway } from '../../src/temporal/gateway';
import { createWorker } from '../../workers/worker';
import { serve } from './http';
import { db, nativeConnection, stack, temporalClient, testLog } from './stack';

export interface ApiStack {
  client: Client;
  connection: Connection;
  native: NativeConnection;
  worker: Worker;
  gateway: TemporalGateway;
  app: Awaited<ReturnType<typeof serve>>;
  stop(): Promise<void>;
}

export async function startApiStack(config: Config): Promise<ApiStack> {
  const { client, connection } = await temporalClient();
  const native = await nativeConnection();
  const worker = await createWorker({ config, connection: native, db: db(), log: testLog, client });
  const running = worker.run();
  const gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
  const app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config }));
  return {
    client,
    connection,
    native,
    worker,
    gateway,
    app,
    async stop() {
      worker.shutdown();
      await running;
      await app.close();
      await gateway.close();
      await connection.close();
      await native.close();
    },
  };
}
