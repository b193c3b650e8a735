// A deactivated account's numbers are released after ACCOUNT_RELEASE_GRACE
// (30 days), by its account-deactivation workflow's durable timer, on the
// time-skipping server with PostgreSQL: still held on day 29, released on
// day 31 through each endpoint's own `release` update, the history saying why.
import assert from 'node:assert/strict';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { deactivateAccount } from '../../src/usecases/accounts';
import { TemporalGateway } from '../../src/temporal/gateway';
import type { accountDeactivationWorkflow } from '../../workflows/account-deactivation.workflow';
import { accountDeactivationWorkflowId, allocateUpdate, endpointWorkflowId, stateQuery, type EndpointStateName } from '../../workflows/shared';
import { recordHistory } from '../support/replay';
import { TASK_QUEUE, defaultPolicy, timeskipDb, timeskipEnv, timeskipWorker } from '../support/timeskip';

const DAY = 24 * 3600_000;
const ACCT = 'acct-deactivated';

describe('account deactivation (time-skipping server + PostgreSQL)', function () {
  this.timeout(120_000);

  it("releases the account's numbers after the 30-day grace period, each through its release update, with the reason in its history", async () => {
    const env = await timeskipEnv();
    try {
      const worker = await timeskipWorker(env);
      await worker.runUntil(async () => {
        const db = timeskipDb();
        await db.account.upsert({ where: { id: ACCT }, create: { id: ACCT, name: ACCT }, update: {} });
        const policy = { ...defaultPolicy(), quarantineNewMs: 60_000 };
        const addresses = ['+16285550401', '+16285550402'];
        await ingestEndpoints(
          { db, client: env.client, taskQueue: TASK_QUEUE, policy },
          addresses.map((address) => ({ address })),
          {
            entry: 'quarantine',
            actor: 'test',
          },
        );
        const handles = addresses.map((a) => env.client.workflow.getHandle(endpointWorkflowId(a)));
        const waitFor = async (state: EndpointStateName) => {
          for (let i = 0; i < 400; i++) {
            if ((await Promise.all(handles.map((h) => h.query(stateQuery)))).every((s) => s.state === state)) return;
            await new Promise((r) => setTimeout(r, 50));
          }
          assert.fail(`expected every number ${state}: ${JSON.stringify(await Promise.all(handles.map(async (h) => (await h.query(stateQuery)).state)))}`);
        };
        await env.sleep(2 * 60_000);
        await waitFor('AVAILABLE');
        for (const h of handles) await h.executeUpdate(allocateUpdate, { args: [{ accountId: ACCT }], updateId: `test-allocate-${h.workflowId}` });

        const temporal = TemporalGateway.fromClient(env.client, TASK_QUEUE);
        const account = await deactivateAccount({ db, temporal, graceMs: 30 * DAY }, ACCT);
        assert.equal(account.active, false);
        assert.equal(Date.parse(account.releaseAfter!) - Date.parse(account.deactivatedAt!), 30 * DAY);

        await env.sleep(29 * DAY);
        await waitFor('ALLOCATED');
        assert.equal((await db.account.findUniqueOrThrow({ where: { id: ACCT } })).releasedAt, null, 'still held on day 29');

        await env.sleep(2 * DAY);
        const deactivation = env.client.workflow.getHandle<typeof accountDeactivationWorkflow>(accountDeactivationWorkflowId(ACCT));
        const result = await deactivation.result();
        await recordHistory(deactivation, 'account-deactivation-release');
        assert.deepEqual([...result.released].sort(), addresses);
        // (the time skipped while waiting for the result may carry them on through aging: the history says what happened)
        for (const address of addresses) {
          const row = await db.endpoint.findUniqueOrThrow({ where: { address }, include: { history: { orderBy: { version: 'asc' } } } });
          assert.equal(row.accountId, null);
          const released = row.history.find((h) => h.fromState === 'ALLOCATED');
          assert.ok(released, row.history.map((h) => h.toState).join(' → '));
          assert.deepEqual(
            [released.fromState, released.toState, released.cause, released.operation],
            ['ALLOCATED', 'AGING', 'released (account deactivated): aging before reuse', `account-deactivated:${ACCT}:${address}:release`],
          );
        }
        assert.ok((await db.account.findUniqueOrThrow({ where: { id: ACCT } })).releasedAt);
        // deactivating again starts a run that finds nothing left
        await deactivateAccount({ db, temporal, graceMs: 30 * DAY }, ACCT);
      });
    } finally {
      await env.teardown();
    }
  });
});
