// The OpenAPI document as the app serves it, built without a stack (nothing
// connects while the app is assembled): for tests that only read the document.
import { buildApp } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/db/client';
import type { TemporalGateway } from '../../src/temporal/gateway';
import { createLogger } from '../../src/logger';

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: Record<string, Record<string, unknown>>;
};

let built: OpenApiDocument | undefined;

export function apiDocument(): OpenApiDocument {
  if (built) return built;
  const gateway = { onTaskQueue: () => gateway } as unknown as TemporalGateway;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' });
  const app = buildApp({ db: {} as Db, temporal: gateway, log: createLogger('silent', 'test'), config });
  built = app.locals.openapi as OpenApiDocument;
  return built;
}
