// Mocha global fixture: starts the test stack before any test, stops it after.
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { migrate } from '../../src/db/migrate';
import { join } from 'node:path';
import { PidFile, ensureRoleAndDatabase, startPrivatePostgres, startTemporal, say } from '../../scripts/lib/stack';
import { conformanceHooks } from './conformance';
import { TIMESKIP_DB, TEST_DB, TEST_PG_PORT, TEST_TEMPORAL_PORT, closeShared, setStack, stack } from './stack';

// EI_TEST_PG_CLUSTER / EI_TEST_PG_PORT / EI_TEST_TEMPORAL_PORT(_2) let two runs share a machine
const CLUSTER = process.env.EI_TEST_PG_CLUSTER ?? 'test';
const pids = new PidFile(join(__dirname, '..', '..', '.ei', CLUSTER === 'test' ? 'test.pids' : `test-${CLUSTER}.pids`));

export async function mochaGlobalSetup(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = Date.now();
  pids.killLeftovers();
  const pg = await startPrivatePostgres(CLUSTER, TEST_PG_PORT);
  // a fresh database each run: no test depends on what an earlier run left
  const fresh = async (name: string) => {
    pg.psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    const url = ensureRoleAndDatabase(pg, 'endpoint_inventory', 'endpoint_inventory', name);
    await migrate(url);
    return url;
  };
  const [databaseUrl, timeskipDatabaseUrl] = [await fresh(TEST_DB), await fresh(TIMESKIP_DB)];
  const temporal = await startTemporal({ port: TEST_TEMPORAL_PORT, uiPort: null });
  pids.add(temporal);
  setStack({ pg, temporal, databaseUrl, timeskipDatabaseUrl, temporalAddress: `127.0.0.1:${TEST_TEMPORAL_PORT}` });
  say(`test stack up in ${Date.now() - started} ms: PostgreSQL :${TEST_PG_PORT}/${TEST_DB}, Temporal :${TEST_TEMPORAL_PORT}`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  const s = stack();
  await closeShared();
  await s.temporal.stop();
  await s.pg.stop();
  pids.clear();
  say('test stack stopped');
}

// every response an API test sees is checked against the OpenAPI document (test/support/conformance.ts)
export const mochaHooks = conformanceHooks;
