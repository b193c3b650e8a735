// Every setting of every process, parsed once from the environment. Each
// default lives here and is listed in docs/operations.md's settings table.
import ms from 'ms';
import { z } from 'zod';
import { parseFailureRates } from './domain/harness';
import { parseFaultInjection } from './fault-injection';
import type { InventoryMonitorInput, LifecyclePolicy } from '../workflows/shared';

/** '30 days', '90s', '1500' (ms) → milliseconds */
const duration = z.string().transform((text, ctx) => {
  const value = /^\d+$/.test(text) ? Number(text) : ms(text as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${text}" (e.g. "30 days", "90s", "1500")` });
    return z.NEVER;
  }
  return value;
});

const fraction = z.coerce.number().min(0).max(1);

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** `production` refuses the demo's defaults (see productionIssues) */
  EI_MODE: z.enum(['demo', 'production']).default('demo'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.string().url().default('postgresql://endpoint_inventory:endpoint_inventory@127.0.0.1:5432/endpoint_inventory'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('endpoint-inventory'),
  TEMPORAL_WEB_URL: z.string().url().default('http://localhost:8233'),
  /**
   * how long a request waits for a workflow update's outcome (an endpoint whose worker is gone, Temporal slow):
   * then 503 with what it holds kept, and the client's retry with the same Idempotency-Key lands on the same update
   */
  TEMPORAL_UPDATE_WAIT: duration.prefault('25s'),
  /** `auto`: TLS when a CA, client certificate, server name or API key is set */
  TEMPORAL_TLS: z.enum(['auto', 'true', 'false']).default('auto'),
  /** PEM file of the CA that signed the server's certificate (default: the system's roots) */
  TEMPORAL_TLS_CA: optionalText,
  /** PEM files of the client certificate and its key (mTLS) */
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  /** the name the server's certificate is checked against, when not the address's host */
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  /** Temporal Cloud API key */
  TEMPORAL_API_KEY: optionalText,
  /** `true`: production mode accepts a Temporal connection with neither TLS nor an API key (something else secures it, e.g. a service mesh's mTLS); ignored in demo mode */
  TEMPORAL_ALLOW_PLAINTEXT: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_BODY_LIMIT: z.string().default('100kb'),
  /** when set, GET /metrics wants `Authorization: Bearer <METRICS_KEY>`; unset: open (refused in production mode) */
  METRICS_KEY: optionalText,
  /** how often each API process adds the usage it counted in memory (routing lookups, traffic reports) to endpoint_usage */
  USAGE_FLUSH_INTERVAL: duration.prefault('10s'),
  /** each dependency check of /ready gives up after this long */
  READY_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /** how long SIGTERM waits for in-flight requests and activities */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
  /** requests per minute per API key, shared by every API process (counted in PostgreSQL), unless the key has its own (api_keys.rate_limit) */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000_000).default(1200),
  /** a rate-limit count PostgreSQL has not answered after this long is counted in the API process instead (logged, and counted in a metric) */
  RATE_LIMIT_STORE_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  /** requests per minute per client address, shared by every API process, that carry no valid API key (401s; over it 429) */
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: z.coerce.number().int().min(1).max(100_000_000).default(120),
  /** presented API keys (valid or not) each API process remembers for 10 s at most; the least recently used go first */
  API_KEY_CACHE_MAX: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /** how long an Idempotency-Key's first answer is kept (and replayed) */
  IDEMPOTENCY_TTL: duration.prefault('24 hours'),
  /** a request holding an Idempotency-Key that has not answered after this long is presumed dead: a retry may run it again */
  IDEMPOTENCY_LEASE: duration.prefault('2 minutes'),

  // ---- endpoint lifecycle (fixed per workflow when it starts)
  QUARANTINE_NEW: duration.prefault('30 days'),
  QUARANTINE_AGING: duration.prefault('45 days'),
  QUARANTINE_EXTENSION: duration.prefault('15 days'),
  QUARANTINE_MAX_EXTENSIONS: z.coerce.number().int().min(0).max(20).default(2),
  CLEANLINESS_THRESHOLD: fraction.default(0.6),
  CLEANLINESS_EVENT_WEIGHT: z.coerce.number().min(0).max(100).default(0.25),
  QUALITY_RETEST_BELOW: fraction.default(0.5),
  /** numbers in service (AVAILABLE, ALLOCATED) are re-tested this often by real test traffic; 0: never */
  RETEST_EVERY: duration.prefault('30 days'),
  /** where a failed re-test of an allocated number is reported to the platform (a signed POST, retried); unset: logged only */
  PLATFORM_WEBHOOK_URL: z
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** the HMAC-SHA256 secret of those POSTs (x-inventory-signature); required with PLATFORM_WEBHOOK_URL */
  PLATFORM_WEBHOOK_SECRET: optionalText,
  PORT_OUT_DURATION: duration.prefault('1 day'),
  RESERVATION_MAX: duration.prefault('1 hour'),
  /** an endpoint workflow continues as new past this many events: a worker without the run in its cache replays the whole history inside one workflow task (10 s), ~1 ms an event on an idle core */
  WORKFLOW_HISTORY_LIMIT: z.coerce.number().int().min(100).max(50_000).default(1000),
  // ---- capability tests (the harness: src/harness/harness.ts)
  /** `carrier`: each number's carrier's test-call API places real test traffic, which must come back to the API's inbound entry; `simulated`: the carrier simulator's test traffic inside the worker (tests, benchmarks; refused in production) */
  HARNESS: z.enum(['carrier', 'simulated']).default('carrier'),
  /** the provider (an API carrier) whose test-call API places the tests of numbers whose own carrier has none (ingested, ported in, manual carriers); unset: those numbers fail their tests */
  HARNESS_CARRIER: optionalText,
  /** how long a test call (voice and routing), SMS, MMS or fax may take to reach the inbound entry */
  HARNESS_TIMEOUT_VOICE: duration.prefault('2 minutes'),
  HARNESS_TIMEOUT_SMS: duration.prefault('2 minutes'),
  HARNESS_TIMEOUT_MMS: duration.prefault('5 minutes'),
  HARNESS_TIMEOUT_FAX: duration.prefault('5 minutes'),
  /** HARNESS=simulated: what the simulated network fails, per medium and outcome, e.g. "sms:not_delivered=0.05,voice:one_way_audio=0.01" (outcomes not_delivered, wrong_number, late, one_way_audio) */
  HARNESS_SIMULATED_FAILURES: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseFailureRates(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .prefault(''),
  /** HARNESS=simulated: the seed of its draws (a run's outcomes replay from it) */
  HARNESS_SIMULATED_SEED: z.coerce.number().int().default(18),

  // ---- accounts
  /** a deactivated account's numbers are released this long after its deactivation (its workflow's durable timer) */
  ACCOUNT_RELEASE_GRACE: duration.prefault('30 days'),
  /** the inactivity policy: an allocated number its holder has not used for this long is noticed (the platform's webhook, `endpoint.inactive`); 0: off */
  INACTIVITY_NOTIFY_AFTER: duration.prefault('0'),
  /** …and released this long after the notice unless it is used meanwhile */
  INACTIVITY_RELEASE_AFTER: duration.prefault('30 days'),
  /** how often the inactivity policy's workflow sweeps */
  INACTIVITY_SWEEP_EVERY: duration.prefault('1 hour'),

  // ---- inventory monitor
  /** how often the Schedule wakes the monitor */
  MONITOR_PERIOD: duration.prefault('15 minutes'),
  /** acquire/release requests wait this long for others before orders are placed */
  MONITOR_BATCH_WINDOW: duration.prefault('2 minutes'),
  /** allocation rate, unmet searches and trend look back this far */
  MONITOR_EVALUATION_WINDOW: duration.prefault('24 hours'),
  /** one account's unmet demand for one set of criteria (an empty search, a none-available allocation) counts once per this window */
  UNMET_DEMAND_WINDOW: duration.prefault('1 hour'),
  /** at most this much of one grouping's unmet count, over an evaluation window, comes from one account: no tenant's searches alone buy numbers */
  UNMET_DEMAND_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000_000).default(5),
  /** the monitor's acquisitions count the held numbers expected back within this (their lifespan history says how likely each is to go: docs/design.md, release prediction); 0: no prediction */
  RELEASE_PREDICTION_HORIZON: duration.prefault('7 days'),
  /** how long a released number takes before it counts towards that horizon: 0 counts it from its release, as AGING numbers count in the pipeline; QUARANTINE_AGING's value counts only numbers back AVAILABLE within the horizon */
  RELEASE_PREDICTION_SHELF_DELAY: duration.prefault('0'),
  /** lifespans (how long numbers stay allocated) are learnt from holdings that began this far back */
  LIFESPAN_LOOKBACK: duration.prefault('365 days'),
  /** the monitor reads the lifespans again after this long (they move by days; a pass may come every second under load) */
  LIFESPAN_REFRESH: duration.prefault('5 minutes'),
  /** the API sends at most one inventory-changed signal per this interval */
  MONITOR_SIGNAL_COALESCE: duration.prefault('1s'),
  /** inventory snapshots and unmet searches older than this are deleted by the monitor's pass (at least 7 days and MONITOR_EVALUATION_WINDOW); webhook receipts go after twice WEBHOOK_TOLERANCE */
  HISTORY_RETENTION: duration.prefault('30 days'),

  // ---- provider orders
  /** a carrier webhook whose timestamp is further than this from now is refused */
  WEBHOOK_TOLERANCE: duration.prefault('5 minutes'),
  /** how long an order waits for deliveries before the rest is re-routed */
  ORDER_DELIVERY_TIMEOUT: duration.prefault('3 days'),
  /** where order forms for carriers without an API are written */
  ORDER_FORMS_DIR: z.string().min(1).default('.ei/order-forms'),
  /** one HTTP call to a carrier's API gives up after this long (one call per activity attempt: Temporal's retry policy retries) */
  CARRIER_HTTP_TIMEOUT: duration.prefault('5s'),

  /** start the inventory monitor and its Schedule when the worker starts (idempotent) */
  WORKER_START_MONITOR: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** host:port where the worker serves GET /metrics: its own (Node's defaults) and the Temporal SDK's, behind METRICS_KEY when set; unset: none */
  WORKER_METRICS_ADDRESS: optionalText,
  /** host:port (loopback) where the Temporal SDK's own exporter listens for the worker's /metrics to read; unset: a free loopback port */
  WORKER_SDK_METRICS_ADDRESS: optionalText,
  /** the Temporal SDK's own log lines (worker state, core's polling) from this level up, as pino JSON; activity and workflow lines follow LOG_LEVEL */
  WORKER_SDK_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('warn'),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(100),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(2000),
  /**
   * workflow tasks a worker holds at once. They run one at a time on its one
   * workflow thread, and each one's 10 s timeout runs from when it was polled:
   * a restarted worker replays every run it serves, so with many slots the last
   * task polled waits out the replays ahead of it and times out (the SDK's 40
   * did, again and again, in the fault suite). Tasks not polled wait at Temporal
   * with no clock running. Fewer slots cost throughput: the fault suite's
   * scenarios ran 12.8 ops/s with 40, 10.6 with 8, 8.5 with 4.
   */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(8),
  /** a workflow bundle built beforehand (bundleWorkflowCode's code, in a file) the worker loads instead of bundling workflows/ at each start */
  WORKER_WORKFLOW_BUNDLE: z.string().min(1).optional(),

  // ---- testing only
  /** fault points where the process SIGKILLs itself, e.g. "api-after-update:0.02,worker-after-transition:0.01" (src/fault-injection.ts); only with NODE_ENV=test */
  FAULT_INJECTION: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseFaultInjection(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .prefault(''),
});

export type Config = z.infer<typeof schema>;

/** how long the workflow waits for each medium's test to arrive */
export function harnessTimeouts(c: Config): Record<'voice' | 'sms' | 'mms' | 'fax', number> {
  return { voice: c.HARNESS_TIMEOUT_VOICE, sms: c.HARNESS_TIMEOUT_SMS, mms: c.HARNESS_TIMEOUT_MMS, fax: c.HARNESS_TIMEOUT_FAX };
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** the dashboard's longest window (src/usecases/dashboard.ts) */
export const MIN_HISTORY_RETENTION_MS = 7 * 86_400_000;

/** The demo's database password (scripts/stack.ts, the tests, DATABASE_URL's default). */
export const DEMO_DATABASE_PASSWORD = 'endpoint_inventory';

/** Whether the Temporal connection uses TLS (src/temporal/connection.ts's rule: `auto` turns it on with any TLS file, server name or API key). */
function temporalSecured(c: z.infer<typeof schema>): boolean {
  if (c.TEMPORAL_TLS !== 'auto') return c.TEMPORAL_TLS === 'true';
  return Boolean(c.TEMPORAL_TLS_CA || c.TEMPORAL_TLS_CERT || c.TEMPORAL_TLS_SERVER_NAME || c.TEMPORAL_API_KEY);
}

/**
 * What EI_MODE=production refuses: each demo default a real deployment must
 * not run with, and each thing it needs, as `[setting, reason]`.
 */
export function productionIssues(c: z.infer<typeof schema>): [keyof Config, string][] {
  const issues: [keyof Config, string][] = [];
  let password: string | undefined;
  try {
    password = decodeURIComponent(new URL(c.DATABASE_URL).password);
  } catch {
    /* the URL check names it already */
  }
  if (!password) issues.push(['DATABASE_URL', 'production mode needs a database password in DATABASE_URL']);
  else if (password === DEMO_DATABASE_PASSWORD)
    issues.push(['DATABASE_URL', `the demo's database password ("${DEMO_DATABASE_PASSWORD}") is refused in production mode`]);
  if (c.HARNESS === 'simulated') {
    issues.push([
      'HARNESS',
      "the simulated harness places no real call or message (the carrier simulator's test traffic inside the worker); production mode refuses it: use HARNESS=carrier, the carriers' test-call APIs",
    ]);
  }
  if (!c.METRICS_KEY) issues.push(['METRICS_KEY', 'production mode does not serve /metrics open: set METRICS_KEY (scrapers send Authorization: Bearer <key>)']);
  else if (c.METRICS_KEY.length < 16) issues.push(['METRICS_KEY', 'must be at least 16 characters in production mode']);
  if (!temporalSecured(c) && !c.TEMPORAL_ALLOW_PLAINTEXT) {
    issues.push([
      'TEMPORAL_TLS',
      'production mode wants the Temporal connection secured: TLS (TEMPORAL_TLS=true, or TEMPORAL_TLS_CA / TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY / TEMPORAL_TLS_SERVER_NAME) or a Temporal Cloud TEMPORAL_API_KEY; where something else secures it (a service mesh), say so with TEMPORAL_ALLOW_PLAINTEXT=true',
    ]);
  }
  return issues;
}

// settings that constrain each other
const checked = schema.superRefine((c, ctx) => {
  if (Boolean(c.TEMPORAL_TLS_CERT) !== Boolean(c.TEMPORAL_TLS_KEY)) {
    ctx.addIssue({
      code: 'custom',
      path: [c.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'],
      message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together',
    });
  }
  if (c.TEMPORAL_TLS === 'false' && (c.TEMPORAL_TLS_CA || c.TEMPORAL_TLS_CERT || c.TEMPORAL_API_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS'], message: 'false, but TLS files or an API key are set' });
  }
  if (c.EI_MODE === 'production') {
    for (const [path, message] of productionIssues(c)) ctx.addIssue({ code: 'custom', path: [path], message });
  }
  for (const key of ['WORKER_METRICS_ADDRESS', 'WORKER_SDK_METRICS_ADDRESS'] as const) {
    const address = c[key];
    if (address && !/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/.test(address)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `not a host:port address: "${address}" (e.g. 127.0.0.1:9464)` });
    }
  }
  if (c.WORKER_SDK_METRICS_ADDRESS && !c.WORKER_METRICS_ADDRESS) {
    ctx.addIssue({
      code: 'custom',
      path: ['WORKER_SDK_METRICS_ADDRESS'],
      message: "set, but WORKER_METRICS_ADDRESS is not: the SDK's metrics are served through the worker's /metrics",
    });
  }
  if (c.PLATFORM_WEBHOOK_URL && !c.PLATFORM_WEBHOOK_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['PLATFORM_WEBHOOK_SECRET'], message: 'required with PLATFORM_WEBHOOK_URL (the platform checks the signature)' });
  }
  if (c.INACTIVITY_NOTIFY_AFTER > 0 && c.INACTIVITY_NOTIFY_AFTER < 60_000) {
    ctx.addIssue({ code: 'custom', path: ['INACTIVITY_NOTIFY_AFTER'], message: 'must be 0 (off) or at least 1 minute' });
  }
  if (c.INACTIVITY_RELEASE_AFTER < 60_000) {
    ctx.addIssue({ code: 'custom', path: ['INACTIVITY_RELEASE_AFTER'], message: 'must be at least 1 minute (the holder must have time to answer the notice)' });
  }
  if (c.INACTIVITY_SWEEP_EVERY < 60_000) {
    ctx.addIssue({ code: 'custom', path: ['INACTIVITY_SWEEP_EVERY'], message: 'must be at least 1 minute' });
  }
  if (c.UNMET_DEMAND_WINDOW < 1000) {
    ctx.addIssue({ code: 'custom', path: ['UNMET_DEMAND_WINDOW'], message: 'must be at least 1 second' });
  }
  if (Object.keys(c.FAULT_INJECTION).length > 0 && c.NODE_ENV !== 'test') {
    ctx.addIssue({ code: 'custom', path: ['FAULT_INJECTION'], message: `kills the process on purpose: only with NODE_ENV=test (it is ${c.NODE_ENV})` });
  }
  const least = Math.max(MIN_HISTORY_RETENTION_MS, c.MONITOR_EVALUATION_WINDOW);
  if (c.HISTORY_RETENTION < least) {
    ctx.addIssue({
      code: 'custom',
      path: ['HISTORY_RETENTION'],
      message: `must be at least ${ms(least, { long: true })} (the dashboard's 7-day window and MONITOR_EVALUATION_WINDOW read that far back)`,
    });
  }
});

/** Parses `env` (default: process.env); throws ConfigError naming each bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = checked.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}

export function lifecyclePolicy(c: Config): LifecyclePolicy {
  return {
    quarantineNewMs: c.QUARANTINE_NEW,
    agingMs: c.QUARANTINE_AGING,
    extensionMs: c.QUARANTINE_EXTENSION,
    maxExtensions: c.QUARANTINE_MAX_EXTENSIONS,
    cleanThreshold: c.CLEANLINESS_THRESHOLD,
    eventWeight: c.CLEANLINESS_EVENT_WEIGHT,
    retestBelow: c.QUALITY_RETEST_BELOW,
    retestEveryMs: c.RETEST_EVERY,
    portOutMs: c.PORT_OUT_DURATION,
    maxReservationMs: c.RESERVATION_MAX,
    historyLimit: c.WORKFLOW_HISTORY_LIMIT,
  };
}

/** The inactivity policy's settings, as its sweeps use them. */
export function inactivitySettings(c: Config): { notifyAfterMs: number; releaseAfterMs: number; sweepEveryMs: number } {
  return { notifyAfterMs: c.INACTIVITY_NOTIFY_AFTER, releaseAfterMs: c.INACTIVITY_RELEASE_AFTER, sweepEveryMs: c.INACTIVITY_SWEEP_EVERY };
}

export function monitorInput(c: Config): InventoryMonitorInput {
  return { batchWindowMs: c.MONITOR_BATCH_WINDOW, evaluationWindowMs: c.MONITOR_EVALUATION_WINDOW, orderDeliveryTimeoutMs: c.ORDER_DELIVERY_TIMEOUT };
}

/** The monitor's release prediction (activities/inventory.ts); undefined when RELEASE_PREDICTION_HORIZON is 0. */
export function releasePrediction(c: Config): { horizonMs: number; shelfDelayMs: number; lookbackMs: number; refreshMs: number } | undefined {
  if (c.RELEASE_PREDICTION_HORIZON <= 0) return undefined;
  return {
    horizonMs: c.RELEASE_PREDICTION_HORIZON,
    shelfDelayMs: c.RELEASE_PREDICTION_SHELF_DELAY,
    lookbackMs: c.LIFESPAN_LOOKBACK,
    refreshMs: c.LIFESPAN_REFRESH,
  };
}

/** The settings and their defaults, for docs/operations.md and `--help` texts. */
export const settingNames = Object.keys(schema.shape) as (keyof Config)[];
