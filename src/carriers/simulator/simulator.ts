// A stand-in for real telephone-number carriers, for demos and tests. Orders arrive over HTTP and
// are fulfilled later by signed webhooks, and each carrier can be told to misbehave the ways real
// carriers do (wrong area codes, partial fills, split or duplicate webhooks, outages, throttling,
// hangs, unwanted inbound traffic, refused returns, releases or cancellations). Every random choice comes from one seeded PRNG so a test can
// replay a run exactly, or force a behaviour with a rate of 0 or 1.
import express, { type ErrorRequestHandler, type Response } from 'express';
import pino, { type Logger } from 'pino';
import { z } from 'zod';

export { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../webhook';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from '../webhook';
import { TEST_MEDIA, type TestArrival } from '../../domain/harness';
import { createTestTraffic, testTrafficBehaviour, testTrafficDefaults, type TestTraffic, type TestTrafficStats } from './test-traffic';

const rate = z.number().min(0).max(1);
const behaviour = {
  secret: z.string().min(1),
  deliveryDelayMs: z.number().int().min(0).max(600_000),
  /** how long the carrier takes to answer a cancellation (deliveries already under way go on meanwhile) */
  cancelDelayMs: z.number().int().min(0).max(600_000),
  genericPoolRate: rate,
  partialFillRate: rate,
  splitDeliveryRate: rate,
  errorRate: rate,
  rateLimitRate: rate,
  timeoutRate: rate,
  duplicateWebhookRate: rate,
  inboundTrafficRate: rate,
  down: z.boolean(),
  /** answer returns, releases or cancellations with a 422 (a final refusal, as a real carrier's "not yours to return") */
  refuseReturns: z.boolean(),
  refuseReleases: z.boolean(),
  refuseCancellations: z.boolean(),
  // capability tests (test-traffic.ts): delay, failure rates per medium, outcomes per number
  ...testTrafficBehaviour,
};

// Strict, so a typo in a test's or the demo's config fails loudly instead of being ignored.
export const carrierPatchSchema = z.strictObject(behaviour).partial();
export const carrierConfigSchema = z.strictObject({
  ...behaviour,
  // The id goes into URLs and order ids, so keep it URL-safe.
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"'),
  deliveryDelayMs: behaviour.deliveryDelayMs.default(200),
  cancelDelayMs: behaviour.cancelDelayMs.default(0),
  genericPoolRate: rate.default(0),
  partialFillRate: rate.default(0),
  splitDeliveryRate: rate.default(0),
  errorRate: rate.default(0),
  rateLimitRate: rate.default(0),
  timeoutRate: rate.default(0),
  duplicateWebhookRate: rate.default(0),
  inboundTrafficRate: rate.default(0),
  down: z.boolean().default(false),
  refuseReturns: z.boolean().default(false),
  refuseReleases: z.boolean().default(false),
  refuseCancellations: z.boolean().default(false),
  testDelayMs: testTrafficBehaviour.testDelayMs.default(testTrafficDefaults.testDelayMs),
  testLateDelayMs: testTrafficBehaviour.testLateDelayMs.default(testTrafficDefaults.testLateDelayMs),
  testFailureRates: testTrafficBehaviour.testFailureRates.default({}),
  testOutcomes: testTrafficBehaviour.testOutcomes.default({}),
});

export type CarrierConfig = z.output<typeof carrierConfigSchema>;
export type CarrierConfigInput = z.input<typeof carrierConfigSchema>;
export type CarrierPatch = z.input<typeof carrierPatchSchema>;

export interface SimulatorOptions {
  carriers: CarrierConfigInput[];
  /** Webhooks go to `${webhookBase}/${carrierId}/webhook`, test calls and messages to `${webhookBase}/${carrierId}/inbound`. */
  webhookBase: string;
  trafficUrl: string;
  /** the API key the call router's traffic feed needs (router or operator scope) */
  trafficKey?: string;
  /** Without a seed every run differs. */
  seed?: number;
  log?: Logger;
  /** How long a simulated timeout hangs before its 504; 30 s like a real gateway unless a test shortens it. */
  hangMs?: number;
  /** Per-attempt limit on a webhook or traffic POST, so a stuck receiver cannot stall deliveries forever. */
  requestTimeoutMs?: number;
  /** retries of a webhook the receiver did not take (backoff 0.1 s doubling, at most 5 s); default 10 */
  webhookRetries?: number;
}

export interface CarrierStats {
  /** POSTs per Idempotency-Key, including the ones answered 503/429/504 or replayed. */
  submissions: Record<string, number>;
  orders: number;
  /** Every webhook POST attempt, duplicates and retries included. */
  webhooksSent: number;
  returns: { address: string; reason: string }[];
  releases: string[];
  /** every number handed back to this carrier (a return or a release) and when (ms since the epoch): what the fault suite compares with holding periods */
  handedBack: { address: string; kind: 'return' | 'release'; at: number }[];
  cancels: number;
  trafficSent: number;
  /** traffic posts the API did not accept (or could not be reached) */
  trafficFailed: number;
  /** the Idempotency-Key of every order this carrier created (one order per key) */
  orderKeys: string[];
  /** every number sent in a webhook, once */
  deliveredNumbers: string[];
  /** webhooks given up after every retry (their numbers never reached the receiver) */
  webhooksAbandoned: number;
  /** returns, releases and cancellations answered 422 (refuseReturns, refuseReleases, refuseCancellations) */
  refusals: number;
  /** capability tests asked of this carrier's test-call API and what it did with them */
  tests: TestTrafficStats;
}

export interface SimulatorStats {
  carriers: Record<string, CarrierStats>;
}

export interface Simulator {
  app: express.Express;
  stats(): SimulatorStats;
  configure(carrierId: string, patch: CarrierPatch): void;
  /** Resolves once every scheduled delivery, retry and traffic post has finished. */
  flush(): Promise<void>;
  close(): void;
}

export type OrderStatus = 'accepted' | 'delivered' | 'partially_delivered' | 'cancelled';

/** What a NANP carrier says of a delivered number's place (optional: carriers that know send it). */
export interface NumberPlace {
  number: string;
  rateCenter?: string;
  lata?: string;
}

export interface WebhookPayload {
  carrierOrderId: string;
  idempotencyKey: string;
  lines: { lineId: string; numbers: string[] }[];
  /** rate center and LATA of the numbers whose area code the simulator knows (RATE_CENTERS) */
  places?: NumberPlace[];
  final: boolean;
  sentAt: string;
}

// --- signing: the service's own scheme (src/carriers/webhook.ts) ---------------------------

export { signWebhook, verifyWebhook, type VerifyFailure, type VerifyResult } from '../webhook';

// --- simulator -----------------------------------------------------------------------------

const DEFAULT_NPAS = ['212', '312', '415', '628', '646'] as const;
const GENERIC_NPAS = ['212', '312', '646', '718', '917'] as const;
/** The rate center and LATA the simulator reports per area code it issues (as the LERG names them). */
export const RATE_CENTERS: Readonly<Record<string, { rateCenter: string; lata: string }>> = {
  '212': { rateCenter: 'NWYRCYZN01', lata: '132' },
  '646': { rateCenter: 'NWYRCYZN01', lata: '132' },
  '718': { rateCenter: 'NWYRCYZN03', lata: '132' },
  '917': { rateCenter: 'NWYRCYZN01', lata: '132' },
  '312': { rateCenter: 'CHICAGO', lata: '358' },
  '415': { rateCenter: 'SNFC CNTRL', lata: '722' },
  '628': { rateCenter: 'SNFC CNTRL', lata: '722' },
};

function placesOf(numbers: string[]): NumberPlace[] {
  return numbers.flatMap((number) => {
    const known = RATE_CENTERS[number.replace(/^\+1/, '').slice(0, 3)];
    return known ? [{ number, ...known }] : [];
  });
}

const orderSchema = z.object({
  lines: z
    .array(
      z.object({
        lineId: z.string().min(1).max(200),
        quantity: z.number().int().min(1).max(1000),
        // Stricter than "3 digits": N0X/N1X-style NPAs starting 0 or 1 cannot exist, and the
        // numbers issued must stay valid for libphonenumber.
        npa: z
          .string()
          .regex(/^[2-9]\d\d$/, 'must be a 3-digit NANP area code')
          .optional(),
        // Accepted for realism; the simulator only ever issues US NANP numbers.
        country: z.string().optional(),
        kind: z.string().optional(),
        capabilities: z.array(z.string()).optional(),
      }),
    )
    .min(1)
    .max(100),
});
const returnsSchema = z.object({
  orderId: z.string().optional(),
  numbers: z.array(z.object({ address: z.string().min(1), reason: z.string().min(1) })).min(1),
});
const releasesSchema = z.object({ numbers: z.array(z.string().min(1)).min(1) });
const testTrafficSchema = z.object({
  address: z.string().min(1).max(100),
  medium: z.enum(TEST_MEDIA),
  direction: z.enum(['inbound', 'outbound']),
  payload: z.string().min(1).max(1000),
});

interface Order {
  carrierOrderId: string;
  idempotencyKey: string;
  lines: { lineId: string; quantity: number; npa: string }[];
  status: OrderStatus;
  requested: number;
  delivered: number;
  /** What the first submission was told, replayed verbatim to retries of the same key. */
  receipt: { carrierOrderId: string; status: 'accepted' };
  cancel: AbortController;
}

interface Carrier {
  config: CarrierConfig;
  testTraffic: TestTraffic;
  stats: CarrierStats;
  orders: Map<string, Order>;
  byKey: Map<string, Order>;
  nextOrder: number;
}

export function createSimulator(opts: SimulatorOptions): Simulator {
  const log = opts.log ?? pino({ level: 'silent' });
  const hangMs = opts.hangMs ?? 30_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 5_000;
  const webhookRetries = opts.webhookRetries ?? 10;
  const webhookBase = opts.webhookBase.replace(/\/+$/, '');
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
  const random = mulberry32(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  // what happens when timers fire (duplicate webhooks, traffic) draws from a stream of its own, so the
  // order timers fire in under load cannot shift what the main stream gives the next order
  const late = mulberry32((seed ^ 0x9e3779b9) >>> 0);
  const lateChance = (p: number) => late() < p;
  // capability tests draw from a stream of their own too: their outcomes do not shift the orders'
  const testRandom = mulberry32((seed ^ 0x85ebca6b) >>> 0);
  const issued = new Set<string>();
  const pending = new Set<Promise<void>>();
  // One switch that wakes every sleeper and aborts every request, so close() leaves nothing behind.
  const shutdown = new AbortController();

  const carriers = new Map<string, Carrier>();
  for (const input of opts.carriers) {
    const config = carrierConfigSchema.parse(input);
    if (carriers.has(config.id)) throw new Error(`duplicate carrier id ${config.id}`);
    const testTraffic = createTestTraffic({
      config: () => config,
      random: testRandom,
      signal: shutdown.signal,
      retries: webhookRetries,
      deliver: (arrival) => sendArrival(config, arrival),
    });
    carriers.set(config.id, {
      config,
      testTraffic,
      orders: new Map(),
      byKey: new Map(),
      nextOrder: 1,
      stats: {
        // Keys come from a client header; a null prototype keeps "__proto__" an ordinary key.
        submissions: Object.create(null) as Record<string, number>,
        orders: 0,
        webhooksSent: 0,
        returns: [],
        releases: [],
        handedBack: [],
        cancels: 0,
        trafficSent: 0,
        trafficFailed: 0,
        orderKeys: [],
        deliveredNumbers: [],
        webhooksAbandoned: 0,
        refusals: 0,
        tests: testTraffic.stats,
      },
    });
  }

  /** A test call or message reaching the platform's inbound entry, signed like a webhook. */
  function sendArrival(config: CarrierConfig, arrival: TestArrival): Promise<boolean> {
    const rawBody = JSON.stringify({ ...arrival, sentAt: new Date().toISOString() });
    const timestamp = Math.floor(Date.now() / 1000);
    return post(`${webhookBase}/${encodeURIComponent(config.id)}/inbound`, rawBody, {
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhook(config.secret, timestamp, rawBody),
    });
  }

  function sleep(ms: number, signal: AbortSignal = shutdown.signal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  function track(work: () => Promise<void>): void {
    const p = work().catch((err: unknown) => log.error({ err }, 'simulator task failed'));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }

  function issueNumber(npa: string): string {
    for (;;) {
      const nxx = 200 + Math.floor(random() * 800);
      // N11 exchanges are service codes and 555 is reserved for fiction; neither is a real line.
      if (nxx % 100 === 11 || nxx === 555) continue;
      const number = `+1${npa}${nxx}${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
      if (issued.has(number)) continue;
      issued.add(number);
      return number;
    }
  }

  async function post(url: string, body: string, headers: Record<string, string>): Promise<boolean> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.any([shutdown.signal, AbortSignal.timeout(requestTimeoutMs)]),
      });
      await res.arrayBuffer().catch(() => undefined); // drain, so keep-alive sockets are reused
      return res.ok;
    } catch {
      return false;
    }
  }

  async function sendWebhook(carrier: Carrier, payload: WebhookPayload): Promise<void> {
    const url = `${webhookBase}/${encodeURIComponent(carrier.config.id)}/webhook`;
    const rawBody = JSON.stringify(payload);
    const copies = lateChance(carrier.config.duplicateWebhookRate) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      for (let attempt = 0; !shutdown.signal.aborted; attempt++) {
        // Signed per attempt, like real carriers, so a late retry does not arrive already stale.
        const timestamp = Math.floor(Date.now() / 1000);
        carrier.stats.webhooksSent++;
        const ok = await post(url, rawBody, {
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(carrier.config.secret, timestamp, rawBody),
        });
        if (ok) break;
        if (attempt === webhookRetries) {
          log.warn({ carrier: carrier.config.id, carrierOrderId: payload.carrierOrderId }, `webhook given up after ${webhookRetries} retries`);
          if (copy === 0) carrier.stats.webhooksAbandoned++;
          break;
        }
        // like real carriers: keep trying for a while (about 25 s with the default 10 retries)
        await sleep(Math.min(100 * 2 ** attempt, 5_000));
      }
    }
  }

  function scheduleTraffic(carrier: Carrier, numbers: string[]): void {
    const cfg = carrier.config;
    for (const address of numbers) {
      if (!lateChance(cfg.inboundTrafficRate)) continue;
      const delay = cfg.deliveryDelayMs * (1 + 2 * late());
      const body = JSON.stringify({ address, medium: late() < 0.5 ? 'voice' : 'messaging', count: 1 + Math.floor(late() * 3) });
      track(async () => {
        await sleep(delay);
        if (shutdown.signal.aborted) return;
        carrier.stats.trafficSent++;
        // unwanted traffic is fire-and-forget: a failure is counted, not retried
        const ok = await post(opts.trafficUrl, body, opts.trafficKey ? { authorization: `Bearer ${opts.trafficKey}` } : {});
        if (!ok) {
          carrier.stats.trafficFailed++;
          if (carrier.stats.trafficFailed === 1)
            opts.log?.warn(
              { url: opts.trafficUrl, keyed: Boolean(opts.trafficKey) },
              'inbound traffic not accepted by the API (first failure; see /stats trafficFailed)',
            );
        }
      });
    }
  }

  // Steps and their numbers are decided when the order is accepted so the PRNG is drawn in request
  // order, not in whatever order timers happen to fire. Each step is the numbers per line plus
  // whether it is final.
  async function fulfil(carrier: Carrier, order: Order, steps: { lines: { lineId: string; numbers: string[] }[]; final: boolean }[]): Promise<void> {
    const stop = AbortSignal.any([shutdown.signal, order.cancel.signal]);
    for (const step of steps) {
      await sleep(carrier.config.deliveryDelayMs, stop);
      if (stop.aborted) return;
      const lines = step.lines;
      const numbers = lines.flatMap((l) => l.numbers);
      order.delivered += numbers.length;
      carrier.stats.deliveredNumbers.push(...numbers);
      // Set before sending, so a receiver that polls the order from its webhook handler agrees.
      if (step.final) order.status = order.delivered === order.requested ? 'delivered' : 'partially_delivered';
      scheduleTraffic(carrier, numbers);
      await sendWebhook(carrier, {
        carrierOrderId: order.carrierOrderId,
        idempotencyKey: order.idempotencyKey,
        lines,
        places: placesOf(numbers),
        final: step.final,
        sentAt: new Date().toISOString(),
      });
    }
  }

  function createOrder(carrier: Carrier, key: string, lines: z.output<typeof orderSchema>['lines']): Order {
    const carrierOrderId = `SIM-${carrier.config.id}-${carrier.nextOrder++}`;
    const order: Order = {
      carrierOrderId,
      idempotencyKey: key,
      lines: lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, npa: l.npa ?? pick(DEFAULT_NPAS) })),
      status: 'accepted',
      requested: lines.reduce((n, l) => n + l.quantity, 0),
      delivered: 0,
      receipt: { carrierOrderId, status: 'accepted' },
      cancel: new AbortController(),
    };
    carrier.orders.set(carrierOrderId, order);
    carrier.byKey.set(key, order);
    carrier.stats.orders++;
    carrier.stats.orderKeys.push(key);

    const cfg = carrier.config;
    const full = order.lines.map((l) => l.quantity);
    const half = order.lines.map((l) => Math.ceil(l.quantity / 2));
    const steps = chance(cfg.partialFillRate)
      ? [
          { counts: half, final: false },
          { counts: [], final: true },
        ] // the final one says "no more"
      : chance(cfg.splitDeliveryRate)
        ? [
            { counts: half, final: false },
            { counts: full.map((q, i) => q - (half[i] ?? 0)), final: true },
          ]
        : [{ counts: full, final: true }];
    // the numbers too are drawn now, in request order: timers firing in another order
    // under load must not change which numbers a seed issues
    const drawn = steps.map((step) => ({
      final: step.final,
      lines: order.lines.flatMap((line, i) => {
        const count = step.counts[i] ?? 0;
        if (count === 0) return [];
        const generic = GENERIC_NPAS.filter((npa) => npa !== line.npa);
        return [{ lineId: line.lineId, numbers: Array.from({ length: count }, () => issueNumber(chance(cfg.genericPoolRate) ? pick(generic) : line.npa)) }];
      }),
    }));
    track(() => fulfil(carrier, order, drawn));
    return order;
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  const fail = (res: Response, status: number, code: string, message: string, issues?: { field: string; reason: string }[]) =>
    res.status(status).json({ error: { code, message, ...(issues ? { issues } : {}) } });

  // Names the offending field(s) the same way the inventory API does, e.g. "lines.0.quantity".
  const invalid = (res: Response, error: z.ZodError) => {
    const issues = error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'body', reason: i.message }));
    return fail(res, 400, 'bad_request', issues.map((i) => `${i.field}: ${i.reason}`).join('; '), issues);
  };

  const carrierOf = (res: Response, id: string): Carrier | undefined => {
    const carrier = carriers.get(id);
    if (!carrier) fail(res, 404, 'not_found', `unknown carrier ${id}`);
    return carrier;
  };

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/stats', (_req, res) => {
    res.json(stats());
  });

  app.post('/carriers/:carrierId/orders', async (req, res) => {
    const carrier = carrierOf(res, req.params.carrierId);
    if (!carrier) return;
    const key = req.get('idempotency-key');
    if (!key) {
      fail(res, 400, 'bad_request', 'Idempotency-Key: header is required', [{ field: 'Idempotency-Key', reason: 'header is required' }]);
      return;
    }
    carrier.stats.submissions[key] = (carrier.stats.submissions[key] ?? 0) + 1;
    const parsed = orderSchema.safeParse(req.body);
    if (!parsed.success) {
      invalid(res, parsed.error);
      return;
    }
    // Only a key that produced an order is replayed; a key that met a 503/429 may try again.
    const previous = carrier.byKey.get(key);
    if (previous) {
      res.status(200).json(previous.receipt);
      return;
    }
    const cfg = carrier.config;
    if (cfg.down || chance(cfg.errorRate)) {
      fail(res, 503, 'unavailable', `carrier ${cfg.id} is unavailable`);
      return;
    }
    if (chance(cfg.rateLimitRate)) {
      res.set('Retry-After', '1');
      fail(res, 429, 'rate_limited', 'too many requests');
      return;
    }
    if (chance(cfg.timeoutRate)) {
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      await sleep(hangMs, AbortSignal.any([shutdown.signal, gone.signal]));
      if (!res.headersSent && !gone.signal.aborted) fail(res, 504, 'gateway_timeout', 'upstream timed out');
      return;
    }
    res.status(202).json(createOrder(carrier, key, parsed.data.lines).receipt);
  });

  app.get('/carriers/:carrierId/orders/:carrierOrderId', (req, res) => {
    const carrier = carrierOf(res, req.params.carrierId);
    if (!carrier) return;
    const order = carrier.orders.get(req.params.carrierOrderId);
    if (!order) {
      fail(res, 404, 'not_found', `unknown order ${req.params.carrierOrderId}`);
      return;
    }
    const { carrierOrderId, status, requested, delivered } = order;
    res.json({ carrierOrderId, status, requested, delivered });
  });

  app.post('/carriers/:carrierId/orders/:carrierOrderId/cancel', async (req, res) => {
    const carrier = carrierOf(res, req.params.carrierId);
    if (!carrier) return;
    const order = carrier.orders.get(req.params.carrierOrderId);
    if (!order) {
      fail(res, 404, 'not_found', `unknown order ${req.params.carrierOrderId}`);
      return;
    }
    if (carrier.config.refuseCancellations) {
      carrier.stats.refusals++;
      fail(res, 422, 'refused', `order ${order.carrierOrderId} cannot be cancelled`);
      return;
    }
    carrier.stats.cancels++;
    if (carrier.config.cancelDelayMs > 0) await sleep(carrier.config.cancelDelayMs, shutdown.signal);
    // A finished order has nothing left to stop; cancelling it is a harmless no-op.
    if (order.status !== 'accepted') {
      res.json({ cancelled: 0 });
      return;
    }
    order.status = 'cancelled';
    order.cancel.abort(); // wakes the pending delivery so flush() need not wait out its delay
    res.json({ cancelled: order.requested - order.delivered });
  });

  app.post('/carriers/:carrierId/returns', (req, res) => {
    const carrier = carrierOf(res, req.params.carrierId);
    if (!carrier) return;
    const parsed = returnsSchema.safeParse(req.body);
    if (!parsed.success) {
      invalid(res, parsed.error);
      return;
    }
    if (carrier.config.refuseReturns) {
      carrier.stats.refusals++;
      fail(res, 422, 'refused', `returns not accepted: ${parsed.data.numbers.map((n) => n.address).join(', ')}`);
      return;
    }
    const at = Date.now();
    for (const { address, reason } of parsed.data.numbers) {
      carrier.stats.returns.push({ address, reason });
      carrier.stats.handedBack.push({ address, kind: 'return', at });
    }
    res.json({ accepted: parsed.data.numbers.length });
  });

  app.post('/carriers/:carrierId/releases', (req, res) => {
    const carrier = carrierOf(res, req.params.carrierId);
    if (!carrier) return;
    const parsed = releasesSchema.safeParse(req.body);
    if (!parsed.success) {
      invalid(res, parsed.error);
      return;
    }
    if (carrier.config.refuseReleases) {
      carrier.stats.refusals++;
      fail(res, 422, 'refused', `releases not accepted: ${parsed.data.numbers.join(', ')}`);
      return;
    }
    carrier.stats.releases.push(...parsed.data.numbers);
    const at = Date.now();
    for (const address of parsed.data.numbers) carrier.stats.handedBack.push({ address, kind: 'release', at });
    res.json({ released: parsed.data.numbers.length });
  });

  // the carrier's test-call API: a test call, SMS, MMS or fax to (or from) a number, carrying the platform's payload
  app.post('/carriers/:carrierId/test-traffic', async (req, res) => {
    const carrier = carrierOf(res, req.params.carrierId);
    if (!carrier) return;
    const parsed = testTrafficSchema.safeParse(req.body);
    if (!parsed.success) {
      invalid(res, parsed.error);
      return;
    }
    if (carrier.config.down) {
      fail(res, 503, 'unavailable', `carrier ${carrier.config.id} is unavailable`);
      return;
    }
    res.status(202).json({ testId: (await carrier.testTraffic.request(parsed.data)).testId });
  });

  app.put('/carriers/:carrierId/config', (req, res) => {
    const carrier = carrierOf(res, req.params.carrierId);
    if (!carrier) return;
    const parsed = carrierPatchSchema.safeParse(req.body);
    if (!parsed.success) {
      invalid(res, parsed.error);
      return;
    }
    Object.assign(carrier.config, defined(parsed.data));
    const { secret: _secret, ...visible } = carrier.config;
    res.json(visible);
  });

  app.use((req, res) => {
    fail(res, 404, 'not_found', `no route ${req.method} ${req.path}`);
  });

  const onError: ErrorRequestHandler = (err: { status?: number; type?: string; message?: string }, _req, res, _next) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err }, 'simulator request failed');
    fail(res, status, err.type ?? (status === 500 ? 'internal' : 'bad_request'), status === 500 ? 'internal error' : `body: ${err.message ?? 'bad request'}`);
  };
  app.use(onError);

  function stats(): SimulatorStats {
    const out: SimulatorStats = { carriers: {} };
    for (const [id, c] of carriers) {
      out.carriers[id] = {
        ...c.stats,
        submissions: { ...c.stats.submissions },
        returns: c.stats.returns.map((r) => ({ ...r })),
        releases: [...c.stats.releases],
        handedBack: c.stats.handedBack.map((h) => ({ ...h })),
        orderKeys: [...c.stats.orderKeys],
        deliveredNumbers: [...c.stats.deliveredNumbers],
        tests: structuredClone(c.stats.tests),
      };
    }
    return out;
  }

  return {
    app,
    stats,
    configure(carrierId, patch) {
      const carrier = carriers.get(carrierId);
      if (!carrier) throw new Error(`unknown carrier ${carrierId}`);
      Object.assign(carrier.config, defined(carrierPatchSchema.parse(patch)));
    },
    async flush() {
      // Work can schedule more work (a delivery schedules traffic), so drain until nothing is left.
      while (pending.size > 0) await Promise.allSettled([...pending]);
      for (const c of carriers.values()) await c.testTraffic.flush();
    },
    close() {
      shutdown.abort();
    },
  };
}

// A programmatic patch may carry explicit undefineds; they mean "leave alone", not "unset".
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// mulberry32: tiny, fast and good enough for test behaviour; not for anything secret.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
