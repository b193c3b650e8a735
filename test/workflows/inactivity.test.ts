// The inactivity policy (issue 18) on the time-skipping server with
// PostgreSQL: two allocated numbers left unused are noticed after
// INACTIVITY_NOTIFY_AFTER (10 days here) — a signed `endpoint.inactive`
// webhook each, a row in inactivity_notices — and INACTIVITY_RELEASE_AFTER (5
// days) later the one still unused is released through its `release` update
// (actor policy:inactivity, the reason in its history row), while the one used
// after its notice stays with its holder; its next idle period gets a notice
// of its own. The sweeps run every 12 hours of skipped time.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/carriers/webhook';
import { noticesOf } from '../../src/db/inactivity';
import { TemporalGateway } from '../../src/temporal/gateway';
import { ingestEndpoints } from '../../src/usecases/ingest';
import { UsageRecorder } from '../../src/usecases/usage';
import type { inactivityPolicyWorkflow } from '../../workflows/inactivity-policy.workflow';
import { INACTIVITY_POLICY_ID, allocateUpdate, endpointWorkflowId, stateQuery, type EndpointStateName } from '../../workflows/shared';
import { recordHistory } from '../support/replay';
import { TASK_QUEUE, defaultPolicy, timeskipDb, timeskipEnv, timeskipWorker } from '../support/timeskip';

const DAY = 24 * 3600_000;
const ACCT = 'acct-idle';
const SECRET = 'platform-secret-inactivity-0123';
const IDLE = '+16285550611';
const USED = '+16285550612';

describe('inactivity policy (time-skipping server + PostgreSQL)', function () {
  this.timeout(240_000);

  it('notices numbers unused for N days (webhook + record), releases the one still unused M days later, keeps the one used after its notice', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    let refused = 0;
    const platform = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        // the platform is away for the idle number's first notice: it is delivered by the next sweep
        const refuse = refused === 0 && (JSON.parse(body) as { address?: string }).address === IDLE;
        if (refuse) refused++;
        res.writeHead(refuse ? 503 : 204).end();
      });
    });
    platform.listen(0, '127.0.0.1');
    await new Promise((r) => platform.once('listening', r));
    const url = `http://127.0.0.1:${(platform.address() as AddressInfo).port}/platform`;
    const env = await timeskipEnv();
    try {
      const worker = await timeskipWorker(
        env,
        {},
        {
          settings: {
            INACTIVITY_NOTIFY_AFTER: '10 days',
            INACTIVITY_RELEASE_AFTER: '5 days',
            INACTIVITY_SWEEP_EVERY: '12 hours',
            RETEST_EVERY: '0',
            PLATFORM_WEBHOOK_URL: url,
            PLATFORM_WEBHOOK_SECRET: SECRET,
          },
        },
      );
      await worker.runUntil(async () => {
        const db = timeskipDb();
        await db.account.upsert({ where: { id: ACCT }, create: { id: ACCT, name: ACCT }, update: {} });
        const addresses = [IDLE, USED];
        await ingestEndpoints(
          { db, client: env.client, taskQueue: TASK_QUEUE, policy: { ...defaultPolicy(), quarantineNewMs: 60_000 } },
          addresses.map((address) => ({ address })),
          { entry: 'quarantine', actor: 'test' },
        );
        const handle = (a: string) => env.client.workflow.getHandle(endpointWorkflowId(a));
        const waitFor = async (address: string, state: EndpointStateName) => {
          for (let i = 0; i < 400; i++) {
            if ((await handle(address).query(stateQuery)).state === state) return;
            await new Promise((r) => setTimeout(r, 50));
          }
          assert.fail(`expected ${address} ${state}: ${(await handle(address).query(stateQuery)).state}`);
        };
        await env.sleep(2 * 60_000);
        for (const a of addresses) await waitFor(a, 'AVAILABLE');
        for (const a of addresses) await handle(a).executeUpdate(allocateUpdate, { args: [{ accountId: ACCT }], updateId: `test-allocate-${a}` });
        const ids = Object.fromEntries(
          await Promise.all(addresses.map(async (a) => [a, (await db.endpoint.findUniqueOrThrow({ where: { address: a } })).id] as const)),
        );
        const notices = (a: string) => noticesOf(db, ids[a]!);
        const eventsFor = (a: string) =>
          received
            .map((r) => JSON.parse(r.body) as { type: string; noticeId: string; address: string; accountId: string; releaseAt: string })
            .filter((e) => e.address === a);
        const until = async (what: string, done: () => Promise<boolean>) => {
          for (let i = 0; i < 200; i++) {
            if (await done()) return;
            await new Promise((r) => setTimeout(r, 50));
          }
          assert.fail(`timed out waiting: ${what}`);
        };

        await TemporalGateway.fromClient(env.client, TASK_QUEUE).inactivity.ensure();
        await env.sleep(9 * DAY);
        for (const a of addresses) assert.deepEqual(await notices(a), [], `no notice for ${a} on day 9`);

        await env.sleep(1.5 * DAY);
        await until('both noticed and delivered', async () =>
          (await Promise.all(addresses.map(notices))).every((n) => n.length === 1 && n[0]!.sentAt !== null),
        );
        const [idleNotice] = await notices(IDLE);
        // refused once: delivered by the next sweep, 12 hours (and the first sweep's own time) later
        const late = idleNotice!.sentAt!.getTime() - idleNotice!.notifiedAt.getTime();
        assert.ok(late >= 12 * 3600_000 && late < 12 * 3600_000 + 60_000, `delivered ${late} ms after its notice`);
        const [usedNotice] = await notices(USED);
        for (const [a, n] of [
          [IDLE, idleNotice!],
          [USED, usedNotice!],
        ] as const) {
          assert.equal(n.accountId, ACCT);
          assert.ok(n.notifiedAt.getTime() - n.idleSince.getTime() >= 10 * DAY, `${a} noticed after 10 idle days`);
          // 5 days from when the platform took it (the refused one: from its delivery by the next sweep)
          assert.equal(n.releaseAt.getTime() - n.sentAt!.getTime(), 5 * DAY);
          const events = eventsFor(a);
          assert.ok(events.length >= 1 && events.every((e) => e.noticeId === n.id), `${a}: one notice, however many deliveries`);
          const last = events.at(-1)!;
          assert.deepEqual([last.type, last.accountId, last.releaseAt], ['endpoint.inactive', ACCT, n.releaseAt.toISOString()]);
        }
        assert.equal(refused, 1);
        assert.equal(eventsFor(IDLE).length + eventsFor(USED).length, 3, 'one delivery refused (503) and retried by the next sweep, one taken for each number');
        const sig = received.find((r) => r.body.includes(USED))!;
        assert.deepEqual(
          verifyWebhook(
            SECRET,
            { 'x-carrier-signature': sig.headers['x-inventory-signature'], 'x-carrier-timestamp': sig.headers['x-inventory-timestamp'] },
            sig.body,
            { toleranceSeconds: 86_400 },
          ),
          { ok: true },
        );

        // the holder uses one of them after its notice (a routing lookup, through the usage recorder)
        const usage = new UsageRecorder(db, 60_000);
        usage.note(ids[USED]!, ACCT, 'lookup', 1, new Date(await env.currentTimeMs()));
        await usage.flush();

        await env.sleep(5 * DAY);
        await until('the idle one released', async () => (await notices(IDLE))[0]!.outcome === 'released');
        await waitFor(IDLE, 'AGING');
        const row = await db.endpoint.findUniqueOrThrow({ where: { address: IDLE }, include: { history: { orderBy: { version: 'asc' } } } });
        assert.equal(row.accountId, null);
        const released = row.history.at(-1)!;
        assert.deepEqual(
          [released.fromState, released.toState, released.actor, released.operation],
          ['ALLOCATED', 'AGING', 'policy:inactivity', `inactivity:${idleNotice!.id}:release`],
        );
        assert.equal(released.cause, `released (inactivity: unused since ${idleNotice!.idleSince.toISOString()}): aging before reuse`);
        assert.equal((await notices(IDLE)).length, 1, 'one notice for one idle period, however many sweeps');

        // used after its notice: not released, its notice closed as used
        await waitFor(USED, 'ALLOCATED');
        const used = await db.endpoint.findUniqueOrThrow({ where: { address: USED } });
        assert.equal(used.accountId, ACCT);
        const [closed] = await notices(USED);
        assert.equal(closed!.outcome, 'used');
        assert.equal(eventsFor(IDLE).length + eventsFor(USED).length, 3, 'no more webhooks for those periods');

        // its next idle period (from the use) is noticed in its turn, 10 days after the use
        await env.sleep(6 * DAY);
        await until('the used one noticed again', async () => (await notices(USED)).length === 2);
        const [again] = await notices(USED);
        assert.ok(again!.idleSince > usedNotice!.notifiedAt, 'the new idle period starts at the use');
        assert.equal(again!.outcome, null);

        await recordHistory(env.client.workflow.getHandle<typeof inactivityPolicyWorkflow>(INACTIVITY_POLICY_ID), 'inactivity-policy-sweeps');
      });
    } finally {
      await env.teardown();
      platform.close();
    }
  });
});
