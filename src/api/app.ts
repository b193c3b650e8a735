// Builds the Express app (no listen): middleware, routes, docs, one error handler.
import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { TemporalGateway } from '../temporal/client';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { buildDocument, createRegistry } from './openapi';
import { healthRoutes } from './routes/health';
import { groupingRoutes } from './routes/groupings';
import { orderRoutes } from './routes/orders';
import { allocationRoutes } from './routes/allocations';
import { searchRoutes } from './routes/search';
import { endpointRoutes } from './routes/endpoints';
import { authenticate } from './middleware/auth';

export interface AppDeps {
  db: Db;
  temporal: TemporalGateway;
  log: Logger;
  config: { API_BODY_LIMIT: string; READY_TIMEOUT_MS: number; WEBHOOK_TOLERANCE: number };
  /** tells the inventory monitor the shelf changed (coalesced); default: nobody */
  notifier?: { notify(): void };
}

export const API_VERSION = '0.1.0';

export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // the raw bytes are kept: carrier webhooks are signed over them
  app.use(
    express.json({
      limit: deps.config.API_BODY_LIMIT,
      strict: true,
      verify: (req, _res, buf) => {
        (req as unknown as { rawBody: Buffer }).rawBody = buf;
      },
    }),
  );

  const registry = createRegistry();
  app.use(healthRoutes({ db: deps.db, temporal: deps.temporal, readyTimeoutMs: deps.config.READY_TIMEOUT_MS }, registry));
  const auth = authenticate(deps.db);
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer ei_<prefix>_<secret> (npm run key:create)' });
  app.use(groupingRoutes({ db: deps.db, temporal: deps.temporal }, registry, auth));
  app.use(searchRoutes({ db: deps.db, notify: () => deps.notifier?.notify() }, registry, auth));
  app.use(endpointRoutes({ db: deps.db, temporal: deps.temporal, notify: () => deps.notifier?.notify() }, registry, auth));
  app.use(allocationRoutes({ db: deps.db, temporal: deps.temporal, notify: () => deps.notifier?.notify() }, registry, auth));
  app.use(orderRoutes({ db: deps.db, temporal: deps.temporal, webhookToleranceSeconds: deps.config.WEBHOOK_TOLERANCE / 1000 }, registry, auth));

  const document = buildDocument(registry, API_VERSION);
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
