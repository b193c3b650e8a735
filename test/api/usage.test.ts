// Usage seen through the service (issue 18) on the real stack: routing
// lookups and the router's traffic reports about an allocated number are
// counted in the API's memory — no write per lookup — and added to
// endpoint_usage by one flush; the holder sees them in insight, another
// account does not.
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { buildApp } from '../../src/api/app';
import { lifecyclePolicy } from '../../src/config';
import { ingestEndpoints } from '../../src/usecases/ingest';
import type { UsageRecorder } from '../../src/usecases/usage';
import { TemporalGateway } from '../../src/temporal/gateway';
import { createWorker } from '../../workers/worker';
import { serve } from '../support/http';
import { SHARED_TASK_QUEUE, apiKey, db, nativeConnection, stack, temporalClient, testConfig, testLog } from '../support/stack';

const HOLDER = 'acct-usage-a';
const OTHER = 'acct-usage-b';
const NUMBER = '+14795550307';

interface Usage {
  accountId: string;
  day: string;
  lookups: number;
  callsIn: number;
  callsOut: number;
  messagesIn: number;
  messagesOut: number;
  lastUsedAt: string;
}

describe('usage of allocated numbers: counted in memory, flushed, shown in insight', function () {
  this.timeout(120_000);
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let api: Awaited<ReturnType<typeof serve>>;
  let usage: UsageRecorder;
  // an hour between flushes: the test flushes by hand, so it sees what is (not) written before
  const config = () => testConfig({ TEMPORAL_TASK_QUEUE: SHARED_TASK_QUEUE, QUARANTINE_NEW: '1s', USAGE_FLUSH_INTERVAL: '1h' });
  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  before(async () => {
    ({ client } = await temporalClient());
    native = await nativeConnection();
    worker = await createWorker({ config: config(), connection: native, db: db(), log: testLog, client });
    running = worker.run();
    const app = buildApp({ db: db(), temporal: new TemporalGateway(stack().temporalAddress, 'default', 2000), log: testLog, config: config() });
    usage = app.locals.usage as UsageRecorder;
    api = await serve(app);
    await ingestEndpoints(
      { db: db(), client, taskQueue: SHARED_TASK_QUEUE, policy: lifecyclePolicy(config()) },
      [{ address: NUMBER, capable: { voice: true, sms: true } }],
      {
        entry: 'quarantine',
        actor: 'test',
      },
    );
    for (let i = 0; i < 300 && (await db().endpoint.findUnique({ where: { address: NUMBER } }))?.state !== 'AVAILABLE'; i++)
      await new Promise((r) => setTimeout(r, 100));
  });
  after(async () => {
    await usage.stop();
    worker.shutdown();
    await running;
    await api.close();
  });

  it('counts lookups and traffic reports without a write per lookup, adds them in one flush, and shows them to the holder only', async () => {
    const [holder, other, router] = await Promise.all([apiKey('PLATFORM', [HOLDER]), apiKey('PLATFORM', [OTHER]), apiKey('ROUTER')]);
    const allocated = await call('POST', '/v1/allocations', holder, { accountId: HOLDER, address: NUMBER, applicationUri: 'sip:a@usage.example.com' });
    assert.equal(allocated.status, 201, await allocated.text());
    const endpoint = await db().endpoint.findUniqueOrThrow({ where: { address: NUMBER } });

    for (let i = 0; i < 50; i++) {
      const res = await call('GET', `/v1/routes/${encodeURIComponent(NUMBER)}`, router);
      assert.equal(res.status, 200);
    }
    const report = (body: Record<string, unknown>) => call('POST', '/v1/traffic', router, { address: NUMBER, ...body });
    assert.equal((await report({ medium: 'voice', count: 3 })).status, 202);
    assert.equal((await report({ medium: 'voice', direction: 'out' })).status, 202);
    assert.equal((await report({ medium: 'messaging', count: 2 })).status, 202);
    assert.equal((await report({ medium: 'messaging', direction: 'out', count: 4 })).status, 202);

    // nothing written yet: the lookups and reports were counted in memory
    assert.equal(await db().endpointUsage.count({ where: { endpointId: endpoint.id } }), 0);
    const flushes = usage.flushes;
    await usage.flush();
    assert.equal(usage.flushes, flushes + 1, 'one flush');
    const rows = await db().endpointUsage.findMany({ where: { endpointId: endpoint.id } });
    assert.equal(rows.length, 1);
    assert.deepEqual(
      [rows[0]!.accountId, rows[0]!.lookups, rows[0]!.callsIn, rows[0]!.callsOut, rows[0]!.messagesIn, rows[0]!.messagesOut],
      [HOLDER, 50, 3, 1, 2, 4],
    );

    // a second round adds to the same day's row
    await call('GET', `/v1/routes/${encodeURIComponent(NUMBER)}`, router);
    await usage.flush();
    const seen = (await (await call('GET', `/v1/endpoints/${encodeURIComponent(NUMBER)}`, holder)).json()) as { usage: Usage[] };
    assert.equal(seen.usage.length, 1);
    assert.deepEqual(
      [seen.usage[0]!.lookups, seen.usage[0]!.callsIn, seen.usage[0]!.messagesOut, seen.usage[0]!.day],
      [51, 3, 4, new Date().toISOString().slice(0, 10)],
    );
    assert.ok(Date.parse(seen.usage[0]!.lastUsedAt) > Date.now() - 60_000);
    // another account does not see the number at all
    assert.equal((await call('GET', `/v1/endpoints/${encodeURIComponent(NUMBER)}`, other)).status, 404);
  });
});
