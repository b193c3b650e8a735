import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { isValidPhoneNumber } from 'libphonenumber-js';
import { createSimulator, signWebhook, verifyWebhook, type CarrierPatch, type Simulator, type WebhookPayload } from '../../src/carriers/simulator/simulator';

const SECRET = 'sim-west-secret';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  body: WebhookPayload;
}

// Stands in for the inventory service: records webhooks (raw, for signature checks) and traffic.
interface Receiver {
  webhooks: Received[];
  traffic: { address: string; medium: string; count: number }[];
  failNext: number;
}

/** the simulator's JSON answers, as far as these tests read them (a missing field fails the assertion) */
interface SimAnswer {
  status: string;
  carriers: Record<string, { submissions: { same: number } }>;
  error: { code?: string; message: string; issues: { field: string }[] };
  [field: string]: unknown;
}

interface Rig {
  sim: Simulator;
  base: string;
  receiver: Receiver;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: SimAnswer }>;
  get(path: string): Promise<{ status: number; body: SimAnswer }>;
}

const servers: Server[] = [];
const sims: Simulator[] = [];

async function listen(app: express.Express): Promise<string> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function rig(carrier: CarrierPatch = {}, extra: { hangMs?: number; seed?: number; trafficKey?: string | null } = {}): Promise<Rig> {
  const receiver: Receiver = { webhooks: [], traffic: [], failNext: 0 };
  const recv = express();
  recv.post('/v1/carriers/:carrierId/webhook', express.raw({ type: () => true }), (req, res) => {
    if (receiver.failNext > 0) {
      receiver.failNext--;
      res.status(500).end();
      return;
    }
    const raw = req.body as Buffer;
    receiver.webhooks.push({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) as WebhookPayload });
    res.status(204).end();
  });
  recv.post('/v1/traffic', express.json(), (req, res) => {
    // like the API: the call router's feed needs a key
    if (req.get('authorization') !== 'Bearer router-key') {
      res.status(401).end();
      return;
    }
    receiver.traffic.push(req.body as Receiver['traffic'][number]);
    res.status(202).end();
  });
  const recvBase = await listen(recv);

  const sim = createSimulator({
    carriers: [{ id: 'sim-west', secret: SECRET, deliveryDelayMs: 10, ...carrier }],
    webhookBase: `${recvBase}/v1/carriers`,
    trafficUrl: `${recvBase}/v1/traffic`,
    trafficKey: extra.trafficKey === undefined ? 'router-key' : (extra.trafficKey ?? undefined),
    seed: extra.seed ?? 42,
    ...(extra.hangMs === undefined ? {} : { hangMs: extra.hangMs }),
  });
  sims.push(sim);
  const base = await listen(sim.app);

  return {
    sim,
    base,
    receiver,
    async post(path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as SimAnswer };
    },
    async get(path) {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, body: (await res.json()) as SimAnswer };
    },
  };
}

const order = (lines: unknown[]) => ({ lines });
const key = (k: string) => ({ 'Idempotency-Key': k });
const npaOf = (n: string) => n.slice(2, 5);
const allNumbers = (r: Receiver) => r.webhooks.flatMap((w) => w.body.lines.flatMap((l) => l.numbers));

afterEach(async () => {
  for (const sim of sims.splice(0)) sim.close();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

describe('carrier simulator', () => {
  it('accepts an order with 202 and delivers it in one signed webhook', async () => {
    const t = await rig();
    const res = await t.post(
      '/carriers/sim-west/orders',
      order([
        { lineId: 'a', quantity: 3, npa: '415' },
        { lineId: 'b', quantity: 2 },
      ]),
      key('k1'),
    );
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { carrierOrderId: 'SIM-sim-west-1', status: 'accepted' });

    await t.sim.flush();
    assert.equal(t.receiver.webhooks.length, 1);
    const hook = t.receiver.webhooks[0]!;
    assert.deepEqual(verifyWebhook(SECRET, hook.headers, hook.raw), { ok: true });
    assert.match(String(hook.headers['x-carrier-signature']), /^sha256=[0-9a-f]{64}$/);
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.equal(hook.body.carrierOrderId, 'SIM-sim-west-1');
    assert.equal(hook.body.idempotencyKey, 'k1');
    assert.equal(hook.body.final, true);
    assert.ok(!Number.isNaN(Date.parse(hook.body.sentAt)));
    assert.deepEqual(
      hook.body.lines.map((l) => [l.lineId, l.numbers.length]),
      [
        ['a', 3],
        ['b', 2],
      ],
    );
    for (const n of hook.body.lines[0]!.numbers) assert.equal(npaOf(n), '415');
    assert.ok(['212', '312', '415', '628', '646'].includes(npaOf(hook.body.lines[1]!.numbers[0]!)));
    for (const n of allNumbers(t.receiver)) assert.ok(isValidPhoneNumber(n), `${n} should be a valid number`);

    const status = await t.get('/carriers/sim-west/orders/SIM-sim-west-1');
    assert.deepEqual(status.body, { carrierOrderId: 'SIM-sim-west-1', status: 'delivered', requested: 5, delivered: 5 });
    const stats = t.sim.stats().carriers['sim-west']!;
    assert.equal(stats.orders, 1);
    assert.equal(stats.webhooksSent, 1);
  });

  it('replays a repeated Idempotency-Key without a second order, but counts it', async () => {
    const t = await rig();
    const first = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('same'));
    const again = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('same'));
    assert.equal(first.status, 202);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
    await t.sim.flush();
    const stats = t.sim.stats().carriers['sim-west']!;
    assert.equal(stats.orders, 1);
    assert.equal(stats.submissions['same'], 2);
    assert.equal(t.receiver.webhooks.length, 1);
    // GET /stats serves the same numbers over HTTP.
    assert.equal((await t.get('/stats')).body.carriers['sim-west']!.submissions.same, 2);
  });

  it('with genericPoolRate 1 gives every number a different area code than requested', async () => {
    const t = await rig({ genericPoolRate: 1 });
    await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 20, npa: '212' }]), key('g'));
    await t.sim.flush();
    const numbers = allNumbers(t.receiver);
    assert.equal(numbers.length, 20);
    for (const n of numbers) {
      assert.notEqual(npaOf(n), '212');
      assert.ok(['312', '646', '718', '917'].includes(npaOf(n)), n);
      assert.ok(isValidPhoneNumber(n), n);
    }
  });

  it('with partialFillRate 1 delivers half of each line, then a final webhook', async () => {
    const t = await rig({ partialFillRate: 1 });
    await t.post(
      '/carriers/sim-west/orders',
      order([
        { lineId: 'a', quantity: 5 },
        { lineId: 'b', quantity: 4 },
      ]),
      key('p'),
    );
    await t.sim.flush();
    const hooks = t.receiver.webhooks.map((w) => w.body);
    assert.equal(hooks.length, 2);
    assert.deepEqual(
      hooks[0]!.lines.map((l) => [l.lineId, l.numbers.length]),
      [
        ['a', 3],
        ['b', 2],
      ],
    );
    assert.equal(hooks[0]!.final, false);
    assert.deepEqual(hooks[1]!.lines, []);
    assert.equal(hooks[1]!.final, true);
    const status = await t.get('/carriers/sim-west/orders/SIM-sim-west-1');
    assert.deepEqual(status.body, { carrierOrderId: 'SIM-sim-west-1', status: 'partially_delivered', requested: 9, delivered: 5 });
  });

  it('with splitDeliveryRate 1 delivers a full order in two webhooks, the second final', async () => {
    const t = await rig({ splitDeliveryRate: 1 });
    await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 7, npa: '312' }]), key('s'));
    await t.sim.flush();
    const hooks = t.receiver.webhooks.map((w) => w.body);
    assert.deepEqual(
      hooks.map((h) => h.final),
      [false, true],
    );
    assert.deepEqual(
      hooks.map((h) => h.lines[0]!.numbers.length),
      [4, 3],
    );
    const numbers = allNumbers(t.receiver);
    assert.equal(new Set(numbers).size, 7);
    assert.equal((await t.get('/carriers/sim-west/orders/SIM-sim-west-1')).body.status, 'delivered');
  });

  it('with duplicateWebhookRate 1 sends the same body twice', async () => {
    const t = await rig({ duplicateWebhookRate: 1 });
    await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 2 }]), key('d'));
    await t.sim.flush();
    assert.equal(t.receiver.webhooks.length, 2);
    assert.deepEqual(t.receiver.webhooks[0]!.raw, t.receiver.webhooks[1]!.raw);
    for (const w of t.receiver.webhooks) assert.deepEqual(verifyWebhook(SECRET, w.headers, w.raw), { ok: true });
    assert.equal(t.sim.stats().carriers['sim-west']!.webhooksSent, 2);
  });

  it('answers 503 without an order while down, and recovers when reconfigured over HTTP', async () => {
    const t = await rig({ down: true });
    const down = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('u'));
    assert.equal(down.status, 503);
    assert.equal(t.sim.stats().carriers['sim-west']!.orders, 0);

    const put = await fetch(`${t.base}/carriers/sim-west/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ down: false }),
    });
    assert.equal(put.status, 200);
    assert.equal(((await put.json()) as { down: boolean }).down, false);

    // The key met no order the first time, so it may be retried and creates one now.
    const up = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('u'));
    assert.equal(up.status, 202);
    const stats = t.sim.stats().carriers['sim-west']!;
    assert.equal(stats.orders, 1);
    assert.equal(stats.submissions['u'], 2);
  });

  it('answers 503 at errorRate 1 and 429 with Retry-After at rateLimitRate 1, counting both', async () => {
    const t = await rig({ errorRate: 1 });
    assert.equal((await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('r'))).status, 503);
    t.sim.configure('sim-west', { errorRate: 0, rateLimitRate: 1 });
    const limited = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('r'));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    const stats = t.sim.stats().carriers['sim-west']!;
    assert.equal(stats.orders, 0);
    assert.equal(stats.submissions['r'], 2);
  });

  it('hangs then answers 504 at timeoutRate 1', async () => {
    const t = await rig({ timeoutRate: 1 }, { hangMs: 50 });
    const started = Date.now();
    const res = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('t'));
    assert.equal(res.status, 504);
    assert.ok(Date.now() - started >= 45);
    assert.equal(t.sim.stats().carriers['sim-west']!.orders, 0);
  });

  it('cancel stops a pending delivery', async () => {
    const t = await rig({ deliveryDelayMs: 5_000 });
    await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 4 }]), key('c'));
    const res = await t.post('/carriers/sim-west/orders/SIM-sim-west-1/cancel', {});
    assert.deepEqual(res.body, { cancelled: 4 });
    const started = Date.now();
    await t.sim.flush();
    assert.ok(Date.now() - started < 1_000, 'flush should not wait out a cancelled delivery');
    assert.equal(t.receiver.webhooks.length, 0);
    assert.equal((await t.get('/carriers/sim-west/orders/SIM-sim-west-1')).body.status, 'cancelled');
    assert.equal(t.sim.stats().carriers['sim-west']!.cancels, 1);
  });

  it('records returns and releases', async () => {
    const t = await rig();
    const ret = await t.post('/carriers/sim-west/returns', {
      orderId: 'SIM-sim-west-1',
      numbers: [
        { address: '+13125550100', reason: 'wrong_area_code' },
        { address: '+13125550101', reason: 'unwanted_traffic' },
      ],
    });
    assert.deepEqual([ret.status, ret.body], [200, { accepted: 2 }]);
    const rel = await t.post('/carriers/sim-west/releases', { numbers: ['+14155550100'] });
    assert.deepEqual([rel.status, rel.body], [200, { released: 1 }]);
    const stats = t.sim.stats().carriers['sim-west']!;
    assert.deepEqual(stats.returns, [
      { address: '+13125550100', reason: 'wrong_area_code' },
      { address: '+13125550101', reason: 'unwanted_traffic' },
    ]);
    assert.deepEqual(stats.releases, ['+14155550100']);
  });

  it('refuses returns, releases and cancellations with a 422 when told to, and records none of them', async () => {
    const t = await rig({ refuseReturns: true, refuseReleases: true, refuseCancellations: true, deliveryDelayMs: 5_000 });
    const ret = await t.post('/carriers/sim-west/returns', { numbers: [{ address: '+13125550100', reason: 'wrong_area_code' }] });
    assert.deepEqual([ret.status, ret.body.error.code], [422, 'refused']);
    assert.match(ret.body.error.message, /\+13125550100/);
    const rel = await t.post('/carriers/sim-west/releases', { numbers: ['+14155550100'] });
    assert.deepEqual([rel.status, rel.body.error.code], [422, 'refused']);
    await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('refused-cancel'));
    const cancel = await t.post('/carriers/sim-west/orders/SIM-sim-west-1/cancel', {});
    assert.deepEqual([cancel.status, cancel.body.error.code], [422, 'refused']);
    const stats = t.sim.stats().carriers['sim-west']!;
    assert.deepEqual([stats.returns, stats.releases, stats.cancels, stats.refusals], [[], [], 0, 3]);
    // told otherwise, it takes them again
    t.sim.configure('sim-west', { refuseReturns: false, refuseReleases: false, refuseCancellations: false });
    assert.equal((await t.post('/carriers/sim-west/releases', { numbers: ['+14155550100'] })).status, 200);
    assert.equal((await t.post('/carriers/sim-west/orders/SIM-sim-west-1/cancel', {})).status, 200);
  });

  it('retries a failing webhook with backoff', async () => {
    const t = await rig();
    t.receiver.failNext = 2;
    await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]), key('retry'));
    await t.sim.flush();
    assert.equal(t.receiver.webhooks.length, 1);
    assert.equal(t.sim.stats().carriers['sim-west']!.webhooksSent, 3);
  });

  it('posts inbound traffic for delivered numbers at inboundTrafficRate 1', async () => {
    const t = await rig({ inboundTrafficRate: 1 });
    await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 3 }]), key('traffic'));
    await t.sim.flush();
    const numbers = allNumbers(t.receiver);
    assert.deepEqual(t.receiver.traffic.map((x) => x.address).sort(), [...numbers].sort());
    for (const x of t.receiver.traffic) {
      assert.ok(['voice', 'messaging'].includes(x.medium));
      assert.ok(x.count >= 1 && x.count <= 3);
    }
    assert.equal(t.sim.stats().carriers['sim-west']!.trafficSent, 3);
    assert.equal(t.sim.stats().carriers['sim-west']!.trafficFailed, 0);
  });

  it('counts traffic the API refuses (no key) instead of losing track of it', async () => {
    const t = await rig({ inboundTrafficRate: 1 }, { trafficKey: null });
    await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 2 }]), key('traffic-nokey'));
    await t.sim.flush();
    assert.equal(t.receiver.traffic.length, 0);
    assert.equal(t.sim.stats().carriers['sim-west']!.trafficFailed, 2);
  });

  it('issues the same numbers for the same seed, never repeating one', async () => {
    const runs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const t = await rig({}, { seed: 7 });
      await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 500, npa: '628' }]), key('x'));
      await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 500, npa: '628' }]), key('y'));
      await t.sim.flush();
      // webhooks of the two orders may arrive in either order: the numbers are what must repeat
      runs.push(allNumbers(t.receiver).sort());
    }
    assert.deepEqual(runs[0], runs[1]);
    assert.equal(new Set(runs[0]).size, 1000);
    for (const n of runs[0]!) assert.ok(isValidPhoneNumber(n) && npaOf(n) === '628', n);
  });

  it('answers 400 naming the field for bad input, and 404 for an unknown carrier', async () => {
    const t = await rig();
    const noKey = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1 }]));
    assert.equal(noKey.status, 400);
    assert.match(noKey.body.error.message, /Idempotency-Key/);

    const bad = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 0 }]), key('b'));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /lines\.0\.quantity/);
    assert.equal(bad.body.error.issues[0]!.field, 'lines.0.quantity');

    const badNpa = await t.post('/carriers/sim-west/orders', order([{ lineId: 'a', quantity: 1, npa: '41' }]), key('b'));
    assert.match(badNpa.body.error.message, /lines\.0\.npa/);

    const noLines = await t.post('/carriers/sim-west/orders', {}, key('b'));
    assert.match(noLines.body.error.message, /^lines:/);

    const malformed = await fetch(`${t.base}/carriers/sim-west/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': 'b' },
      body: '{"lines": [',
    });
    assert.equal(malformed.status, 400);

    const badConfig = await fetch(`${t.base}/carriers/sim-west/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ genericPoolRate: 2 }),
    });
    assert.equal(badConfig.status, 400);
    assert.match(((await badConfig.json()) as { error: { message: string } }).error.message, /genericPoolRate/);

    const badReturn = await t.post('/carriers/sim-west/returns', { numbers: [{ address: '+13125550100' }] });
    assert.match(badReturn.body.error.message, /numbers\.0\.reason/);

    assert.equal((await t.post('/carriers/nope/orders', order([{ lineId: 'a', quantity: 1 }]), key('b'))).status, 404);
    assert.equal(t.sim.stats().carriers['sim-west']!.orders, 0);
  });
});

describe('verifyWebhook', () => {
  const body = JSON.stringify({ carrierOrderId: 'SIM-x-1', lines: [], final: true });
  const now = Date.UTC(2030, 0, 1);
  const ts = Math.floor(now / 1000);
  const headers = (timestamp: number, raw = body, secret = SECRET) => ({
    'x-carrier-timestamp': String(timestamp),
    'x-carrier-signature': signWebhook(secret, timestamp, raw),
  });

  it('accepts a genuine, fresh signature', () => {
    assert.deepEqual(verifyWebhook(SECRET, headers(ts), body, { now }), { ok: true });
    assert.deepEqual(verifyWebhook(SECRET, headers(ts), Buffer.from(body), { now: new Date(now) }), { ok: true });
  });

  it('refuses a tampered body', () => {
    assert.deepEqual(verifyWebhook(SECRET, headers(ts), body.replace('true', 'false'), { now }), { ok: false, reason: 'signature mismatch' });
  });

  it('refuses a wrong secret', () => {
    assert.deepEqual(verifyWebhook(SECRET, headers(ts, body, 'other-secret'), body, { now }), { ok: false, reason: 'signature mismatch' });
  });

  it('refuses a stale timestamp', () => {
    assert.deepEqual(verifyWebhook(SECRET, headers(ts - 301), body, { now }), { ok: false, reason: 'stale timestamp' });
    assert.deepEqual(verifyWebhook(SECRET, headers(ts - 60), body, { now, toleranceSeconds: 30 }), { ok: false, reason: 'stale timestamp' });
    assert.deepEqual(verifyWebhook(SECRET, headers(ts - 299), body, { now }), { ok: true });
  });

  it('refuses a missing or malformed signature', () => {
    assert.deepEqual(verifyWebhook(SECRET, { 'x-carrier-timestamp': String(ts) }, body, { now }), { ok: false, reason: 'missing signature' });
    assert.deepEqual(verifyWebhook(SECRET, { 'x-carrier-timestamp': String(ts), 'x-carrier-signature': 'md5=abc' }, body, { now }), {
      ok: false,
      reason: 'bad signature format',
    });
    assert.deepEqual(verifyWebhook(SECRET, { ...headers(ts), 'x-carrier-timestamp': 'yesterday' }, body, { now }), {
      ok: false,
      reason: 'bad signature format',
    });
  });
});
