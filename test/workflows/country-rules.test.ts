// A country rule's rest periods over real durations, on the time-skipping
// test server with the activities writing to the real PostgreSQL: a Canadian
// number under a CA rule is quarantined 5 days (not QUARANTINE_NEW's 30) and
// ages 10 days after its release (not QUARANTINE_AGING's 45); the rule
// changed to 20 days applies to the next release, not the one before; the
// entry and each AGING transition record the rule version and duration used.
// The workflow's own ORDERED → QUARANTINE step rests a number by its rule
// too, and a workflow started again from a quarantined row that kept no end
// resumes its rule's period, not QUARANTINE_NEW's.
// RECORD_REPLAY=1 saves the histories to test/replay/endpoint-country-rule-aging.json
// and endpoint-ordered-country-rule.json.
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { listRules, setRule } from '../../src/db/country-rules';
import { EMPTY_RULE, effectiveRule } from '../../src/domain/regulation';
import type { endpointWorkflow } from '../../workflows/endpoint.workflow';
import { allocateUpdate, endpointWorkflowId, releaseUpdate, stateQuery, type EndpointStateName } from '../../workflows/shared';
import { recordHistory } from '../support/replay';
import { initialSnapshot } from '../../src/temporal/endpoints';
import { TemporalGateway } from '../../src/temporal/gateway';
import { rowAt } from '../../src/db/reconcile';
import { startWorkflowForRow } from '../../src/usecases/restart';
import { TASK_QUEUE, defaultPolicy, timeskipDb, timeskipEnv, timeskipWorker } from '../support/timeskip';

const DAY = 24 * 3600_000;
const VOICE_SMS = { voice: true, sms: true, mms: false, fax: false };
const torontoNumber = () => `+1416${String(2_000_000 + Math.floor(Math.random() * 7_999_999))}`;
const ACCOUNT = 'acct-country-rules';

describe('country rules over real durations (time-skipping server + PostgreSQL)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let worker: Worker;

  const clear = () => timeskipDb().$executeRaw`DELETE FROM country_rules WHERE country = 'CA'`;
  const caRule = (fields: Partial<typeof EMPTY_RULE>) =>
    setRule(timeskipDb(), { country: 'CA', kind: null, fields: { ...EMPTY_RULE, ...fields }, actor: 'test' });

  before(async () => {
    await timeskipDb().account.upsert({ where: { id: ACCOUNT }, create: { id: ACCOUNT, name: ACCOUNT }, update: {} });
    await clear();
  });
  after(clear);

  it("quarantines and ages a number by its country's rule; a changed rule applies to the next release, recorded with its version", async () => {
    env = await timeskipEnv();
    try {
      worker = await timeskipWorker(env);
      await worker.runUntil(async () => {
        await caRule({ quarantineSeconds: 5 * 86_400, agingSeconds: 10 * 86_400 });
        // Toronto
        const address = `+1416${String(2_000_000 + Math.floor(Math.random() * 7_999_999))}`;
        const res = await ingestEndpoints({ db: timeskipDb(), client: env.client, taskQueue: TASK_QUEUE, policy: defaultPolicy() }, [{ address }], {
          entry: 'quarantine',
          actor: 'test',
        });
        assert.equal(res.accepted.length, 1, JSON.stringify(res));
        const h = env.client.workflow.getHandle<typeof endpointWorkflow>(endpointWorkflowId(address));
        const state = async () => (await h.query(stateQuery)).state;
        const reach = async (want: EndpointStateName) => {
          for (let i = 0; i < 400 && (await state()) !== want; i++) await new Promise((r) => setTimeout(r, 50));
          assert.equal(await state(), want);
        };

        await env.sleep(4 * DAY);
        assert.equal(await state(), 'QUARANTINE', 'still quarantined on day 4');
        await env.sleep(2 * DAY);
        await reach('AVAILABLE');

        await h.executeUpdate(allocateUpdate, { args: [{ accountId: ACCOUNT }] });
        assert.equal((await h.executeUpdate(releaseUpdate, { args: [{ accountId: ACCOUNT }] })).state, 'AGING');
        await env.sleep(9 * DAY);
        assert.equal(await state(), 'AGING', 'still aging on day 9');
        await env.sleep(2 * DAY);
        await reach('AVAILABLE');

        // the operator doubles the aging: the next release ages 20 days
        const { rule } = await caRule({ quarantineSeconds: 5 * 86_400, agingSeconds: 20 * 86_400 });
        assert.equal(rule.version, 2);
        await h.executeUpdate(allocateUpdate, { args: [{ accountId: ACCOUNT }] });
        await h.executeUpdate(releaseUpdate, { args: [{ accountId: ACCOUNT }] });
        await env.sleep(19 * DAY);
        assert.equal(await state(), 'AGING', 'still aging on day 19 under the changed rule');
        await env.sleep(2 * DAY);
        await reach('AVAILABLE');

        const entry = await timeskipDb().endpointHistory.findFirstOrThrow({ where: { endpoint: { address }, version: 1 } });
        assert.deepEqual((entry.details as { countryRule?: unknown }).countryRule, { country: 'CA', kind: null, version: 1, quarantineMs: 5 * DAY });
        const agings = await timeskipDb().endpointHistory.findMany({
          where: { endpoint: { address }, toState: 'AGING' },
          orderBy: { version: 'asc' },
        });
        assert.deepEqual(
          agings.map((a) => (a.details as { countryRule?: unknown }).countryRule),
          [
            { country: 'CA', kind: null, version: 1, agingMs: 10 * DAY },
            { country: 'CA', kind: null, version: 2, agingMs: 20 * DAY },
          ],
        );
        await recordHistory(h, 'endpoint-country-rule-aging');
      });
    } finally {
      await env.teardown();
    }
  });

  it("the workflow's own ORDERED → QUARANTINE step rests a number as long as its country's rule says, recorded with the rule's version", async () => {
    env = await timeskipEnv();
    try {
      worker = await timeskipWorker(env);
      await worker.runUntil(async () => {
        const { rule } = await caRule({ quarantineSeconds: 5 * 86_400 });
        const address = torontoNumber();
        const endpoint = await timeskipDb().endpoint.create({
          data: { address, kind: 'FIXED_LINE_OR_MOBILE', country: 'CA', npa: address.slice(2, 5), digits: address.slice(2) },
        });
        const h = await env.client.workflow.start('endpointWorkflow', {
          taskQueue: TASK_QUEUE,
          workflowId: endpointWorkflowId(address),
          args: [{ address, endpointId: endpoint.id, policy: defaultPolicy(), snapshot: initialSnapshot('ORDERED', 0, VOICE_SMS) }],
        });
        const state = async () => (await h.query(stateQuery)).state;
        const reach = async (want: EndpointStateName) => {
          for (let i = 0; i < 400 && (await state()) !== want; i++) await new Promise((r) => setTimeout(r, 50));
          assert.equal(await state(), want);
        };
        await reach('QUARANTINE');
        const entry = await timeskipDb().endpointHistory.findFirstOrThrow({ where: { endpointId: endpoint.id, version: 1 } });
        assert.deepEqual((entry.details as { countryRule?: unknown }).countryRule, {
          country: 'CA',
          kind: null,
          version: rule.version,
          quarantineMs: 5 * DAY,
        });
        await env.sleep(4 * DAY);
        assert.equal(await state(), 'QUARANTINE', 'still quarantined on day 4');
        await env.sleep(2 * DAY);
        await reach('AVAILABLE');
        await recordHistory(h, 'endpoint-ordered-country-rule');
      });
    } finally {
      await env.teardown();
    }
  });

  it("a workflow started again from a quarantined row that kept no end rests the rest of its country rule's period", async () => {
    env = await timeskipEnv();
    try {
      worker = await timeskipWorker(env);
      await worker.runUntil(async () => {
        await caRule({ quarantineSeconds: 5 * 86_400 });
        const address = torontoNumber();
        // a row written before its phase's end was kept: in QUARANTINE since a day ago, no quarantineUntil
        await timeskipDb().endpoint.create({
          data: {
            address,
            kind: 'FIXED_LINE_OR_MOBILE',
            country: 'CA',
            npa: address.slice(2, 5),
            digits: address.slice(2),
            state: 'QUARANTINE',
            version: 1,
            voiceCapable: true,
            smsCapable: true,
            stateChangedAt: new Date(Date.now() - DAY),
          },
        });
        const row = (await rowAt(timeskipDb(), address))!;
        await startWorkflowForRow(TemporalGateway.fromClient(env.client, TASK_QUEUE), row, defaultPolicy(), await listRules(timeskipDb()));
        const h = env.client.workflow.getHandle<typeof endpointWorkflow>(endpointWorkflowId(address));
        const status = await h.query(stateQuery);
        assert.equal(status.state, 'QUARANTINE');
        assert.equal(status.phaseEndsAt, row.stateChangedAt.getTime() + 5 * DAY, "its rule's 5 days from when it entered, not QUARANTINE_NEW");
        await env.sleep(3 * DAY);
        assert.equal((await h.query(stateQuery)).state, 'QUARANTINE', 'still quarantined on day 4');
        await env.sleep(2 * DAY);
        for (let i = 0; i < 400 && (await h.query(stateQuery)).state !== 'AVAILABLE'; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal((await h.query(stateQuery)).state, 'AVAILABLE');
      });
    } finally {
      await env.teardown();
    }
  });

  it('the shipped US rule sets no rest period: US numbers keep QUARANTINE_NEW and QUARANTINE_AGING', async () => {
    // the default path is lifecycle.test.ts's 'allocated, released, aged 45 days' (a US number: its shipped rule sets no rest period)
    const us = effectiveRule(await listRules(timeskipDb()), 'US', 'FIXED_LINE_OR_MOBILE');
    assert.ok(us, 'the US rule is shipped');
    assert.deepEqual([us.quarantineMs, us.agingMs], [null, null]);
  });
});
