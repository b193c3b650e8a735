// Builds the Express app (no listen): middleware, routes, docs, one error handler.
import express, { type Express, type RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { TemporalGateway } from '../temporal/gateway';
import { errorHandler, knownPaths, notFoundHandler } from './middleware/errors';
import { hasBody, UnsupportedMediaType } from './errors';
import { buildDocument, createRegistry, errorResponse } from './openapi';
import { healthRoutes } from './routes/health';
import { groupingRoutes } from './routes/groupings';
import { inventoryRoutes } from './routes/inventory';
import { orderRoutes } from './routes/orders';
import { carrierRoutes } from './routes/carriers';
import { allocationRoutes } from './routes/allocations';
import { reservationRoutes } from './routes/reservations';
import { releaseRoutes } from './routes/releases';
import { exchangeRoutes } from './routes/exchanges';
import { endpointRoutes } from './routes/endpoints';
import { Unauthorized, authenticate } from './middleware/auth';
import { keyUseRecorder } from '../usecases/keys';
import { routeRoutes } from './routes/routes';
import { feedbackRoutes } from './routes/feedback';
import { trafficRoutes } from './routes/traffic';
import { UsageRecorder } from '../usecases/usage';
import { requestLogging } from './middleware/requests';
import { RATE_LIMIT_WINDOW_MS, RateLimiter } from './middleware/rate-limit';
import { postgresRateLimitStore, type RateLimitStore } from '../db/rate-limits';
import { idempotency } from './middleware/idempotency';
import { createMetrics } from './metrics';
import { metricsKeyCheck } from '../metrics-key';
import { inputGuard } from './input';
import { lifecyclePolicy, releasePrediction, type Config } from '../config';
import { providerRoutes } from './routes/providers';
import { portRoutes } from './routes/ports';
import { reconciliationRoutes } from './routes/reconciliations';
import { dashboardRoutes } from './routes/dashboard';
import { accountRoutes } from './routes/accounts';
import { addressRoutes } from './routes/addresses';
import { countryRuleRoutes } from './routes/country-rules';
import { keyRoutes } from './routes/keys';
import { numberRoutes } from './routes/numbers';
import { twilioErrorHandler, twilioNotFound, twilioRoutes } from './routes/twilio';
import { HttpError } from './errors';
import { TWIN_PREFIX } from './openapi';

export interface AppDeps {
  db: Db;
  temporal: TemporalGateway;
  log: Logger;
  config: Config;
  /** tells the inventory monitor the shelf changed (coalesced); default: nobody */
  notifier?: { notify(): void };
  /** where the rate limits are counted, shared by every API process; default: the `rate_limits` table of DATABASE_URL (the caller of buildApp closes its own) */
  rateLimits?: RateLimitStore;
}

/** The rate limits' shared store for `config` (src/main.ts closes it at shutdown). */
export function rateLimitStore(config: Config, log: Logger): RateLimitStore {
  return postgresRateLimitStore(config.DATABASE_URL, {
    windowMs: RATE_LIMIT_WINDOW_MS,
    timeoutMs: config.RATE_LIMIT_STORE_TIMEOUT_MS,
    onPoolError: (err) => log.warn({ err: err.message }, 'rate-limit store: a pooled connection failed'),
  });
}

/** One warning per `everyMs` at most, with how many failures it stands for. */
function throttledWarning(log: Logger, everyMs: number, msg: string): (err: unknown) => void {
  let last = 0;
  let unsaid = 0;
  return (err) => {
    unsaid++;
    const now = Date.now();
    if (now - last < everyMs) return;
    log.warn({ err: (err as Error).message, failures: unsaid }, msg);
    last = now;
    unsaid = 0;
  };
}

/** 0.2.0: one vocabulary (lower-case kinds, capabilities as booleans, ISO timestamps, nxx 3 digits) and problem details (docs/api.md) */
export const API_VERSION = '0.2.0';

export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // workflows the API starts (ingest, late deliveries, reconciliation) run on the configured task queue
  const temporal = deps.temporal.onTaskQueue(deps.config.TEMPORAL_TASK_QUEUE);
  const metrics = createMetrics({ db: deps.db, temporal, timeoutMs: deps.config.READY_TIMEOUT_MS });
  app.use(requestLogging(deps.log, metrics.observe));
  // the path and query are checked for every request; the body is read only once the caller is known:
  // by auth() after the key and its scope (a malformed body without a key is a 401, with the wrong scope a 403),
  // and for carriers' webhooks (signed, no key) on their own path
  app.use(inputGuard);
  const json = express.json({
    limit: deps.config.API_BODY_LIMIT,
    strict: true,
    // the raw bytes are kept: carrier webhooks are signed over them
    verify: (req, _res, buf) => {
      (req as unknown as { rawBody: Buffer }).rawBody = buf;
    },
  });
  const parseBody: RequestHandler = (req, res, next) =>
    json(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        inputGuard(req, res, next);
      } catch (e) {
        next(e);
      }
    });
  // a JSON route refuses a body sent as anything else (415) rather than reading it as none
  // a GET's body means nothing: it is not read
  const readBody: RequestHandler = (req, res, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return next();
    if (hasBody(req.headers) && !req.is('application/json')) return next(new UnsupportedMediaType(req.get('content-type') ?? 'no Content-Type'));
    parseBody(req, res, next);
  };

  // the Twilio-compatible face reads form-encoded bodies (and refuses any other)
  const form = express.urlencoded({ extended: false, limit: deps.config.API_BODY_LIMIT, parameterLimit: 100 });
  const readForm: RequestHandler = (req, res, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return next();
    if (hasBody(req.headers) && !req.is('application/x-www-form-urlencoded')) {
      const given = req.get('content-type') ?? 'no Content-Type';
      return next(new HttpError(415, 'unsupported_media_type', `Content-Type: this route takes application/x-www-form-urlencoded, not ${given}`));
    }
    form(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        inputGuard(req, res, next);
      } catch (e) {
        next(e);
      }
    });
  };

  const registry = createRegistry();
  app.use(healthRoutes({ db: deps.db, temporal, readyTimeoutMs: deps.config.READY_TIMEOUT_MS }, registry));
  const storeFailed = throttledWarning(
    deps.log,
    10_000,
    'rate-limit store failed (PostgreSQL slow or away): requests are counted per API process until it answers again',
  );
  const limiter = new RateLimiter(deps.config.RATE_LIMIT_PER_MINUTE, deps.rateLimits ?? rateLimitStore(deps.config, deps.log), (err) => {
    metrics.rateLimitStoreErrors.inc();
    storeFailed(err);
  });
  const authOptions = {
    limiter,
    unauthenticatedPerMinute: deps.config.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
    cacheMax: deps.config.API_KEY_CACHE_MAX,
    body: readBody,
    noteUse: keyUseRecorder(deps.db),
    after: idempotency(deps.db, {
      ttlMs: deps.config.IDEMPOTENCY_TTL,
      leaseMs: deps.config.IDEMPOTENCY_LEASE,
      onReplay: () => metrics.idempotentReplays.inc(),
    }),
  };
  const auth = authenticate(deps.db, authOptions);
  // the same keys, limits and idempotency; HTTP Basic credentials and form bodies, as Twilio's clients send them
  const twinAuth = authenticate(deps.db, { ...authOptions, credentials: 'basic', body: readForm });
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description:
      'Authorization: Bearer ei_<prefix>_<secret> (npm run key:create). Each operation lists the scopes it accepts in `x-scopes`. ' +
      'Every POST takes an optional Idempotency-Key header: the same key and body get the first answer again (Idempotent-Replayed: true), ' +
      'another body 422, a duplicate while the first still runs 409.',
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tags: ['health'],
    summary: 'Prometheus metrics: request latencies, inventory per grouping, orders by status, workflows in error',
    responses: {
      200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
      401: { ...errorResponse, description: 'METRICS_KEY is set and the request did not give it as `Authorization: Bearer <METRICS_KEY>`' },
    },
  });
  const metricsAllowed = metricsKeyCheck(deps.config.METRICS_KEY);
  app.get('/metrics', async (req, res) => {
    if (!metricsAllowed(req.get('authorization'))) throw new Unauthorized('Authorization: /metrics wants Bearer <METRICS_KEY>');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(groupingRoutes({ db: deps.db }, registry, auth));
  const unmet = { unmetWindowMs: deps.config.UNMET_DEMAND_WINDOW, unmetPerAccount: deps.config.UNMET_DEMAND_PER_ACCOUNT };
  app.use(inventoryRoutes({ db: deps.db, temporal, unmetPerAccount: unmet.unmetPerAccount }, registry, auth));
  app.use(endpointRoutes({ db: deps.db, notify: () => deps.notifier?.notify(), unmetWindowMs: unmet.unmetWindowMs }, registry, auth));
  // usage of allocated endpoints, counted in memory and flushed periodically (src/usecases/usage.ts); main.ts flushes it at shutdown
  const usage = new UsageRecorder(deps.db, deps.config.USAGE_FLUSH_INTERVAL, (err) => deps.log.warn({ err }, 'usage flush failed; kept for the next'));
  usage.start();
  app.locals.usage = usage;
  app.use(routeRoutes({ db: deps.db, usage }, registry, auth));
  app.use(feedbackRoutes({ db: deps.db, temporal }, registry, auth));
  app.use(trafficRoutes({ temporal, db: deps.db, usage }, registry, auth));
  const holding = { db: deps.db, temporal, notify: () => deps.notifier?.notify(), unmetWindowMs: unmet.unmetWindowMs };
  app.use(allocationRoutes(holding, registry, auth));
  app.use(reservationRoutes({ ...holding, maxReservationMs: deps.config.RESERVATION_MAX }, registry, auth));
  app.use(releaseRoutes(holding, registry, auth));
  app.use(exchangeRoutes(holding, registry, auth));
  app.use(numberRoutes(holding, registry, auth));
  app.use(accountRoutes({ db: deps.db, temporal, graceMs: deps.config.ACCOUNT_RELEASE_GRACE }, registry, auth));
  app.use(keyRoutes({ db: deps.db }, registry, auth));
  app.use(twilioRoutes(holding, registry, twinAuth));
  app.use(addressRoutes({ db: deps.db }, registry, auth));
  app.use(countryRuleRoutes({ db: deps.db }, registry, auth));
  const lifecycle = { db: deps.db, temporal, policy: lifecyclePolicy(deps.config) };
  app.use(portRoutes({ ...lifecycle, notify: () => deps.notifier?.notify() }, registry, auth));
  app.use(providerRoutes({ db: deps.db }, registry, auth));
  app.use(reconciliationRoutes(lifecycle, registry, auth));
  app.use(
    dashboardRoutes(
      {
        db: deps.db,
        temporalWebUrl: deps.config.TEMPORAL_WEB_URL,
        namespace: deps.config.TEMPORAL_NAMESPACE,
        unmetPerAccount: unmet.unmetPerAccount,
        lifespanLookbackMs: deps.config.LIFESPAN_LOOKBACK,
        lifespanRefreshMs: deps.config.LIFESPAN_REFRESH,
        releasePrediction: releasePrediction(deps.config),
      },
      registry,
      auth,
    ),
  );
  app.use('/v1/carriers/:providerId/webhook', readBody);
  app.use('/v1/carriers/:providerId/inbound', readBody);
  app.use('/v1/carriers/:providerId/registrations', readBody);
  app.use(carrierRoutes({ db: deps.db, temporal, webhookToleranceSeconds: deps.config.WEBHOOK_TOLERANCE / 1000 }, registry));
  app.use(orderRoutes({ db: deps.db, temporal }, registry, auth));

  registry.registerPath({
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    tags: ['health'],
    summary: 'This document (Swagger UI at /docs)',
    responses: {
      200: { description: 'the OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object', description: 'OpenAPI 3.1' } } } },
    },
  });
  const document = buildDocument(registry, API_VERSION);
  app.locals.openapi = document;
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));

  // the Twilio face's own 404 / 405 and errors, in Twilio's body
  const paths = document.paths as Record<string, Record<string, unknown>>;
  const twin = Object.fromEntries(Object.entries(paths).filter(([p]) => p.startsWith(TWIN_PREFIX)));
  app.use(TWIN_PREFIX, twilioNotFound(knownPaths(twin)));
  app.use(TWIN_PREFIX, twilioErrorHandler(deps.log));
  // no route: a 404 whatever its body, or the 405 of a path that takes other methods
  app.use(notFoundHandler(knownPaths(document.paths as Record<string, Record<string, unknown>>)));
  app.use(errorHandler(deps.log));
  return app;
}
