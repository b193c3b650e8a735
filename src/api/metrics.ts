// Prometheus metrics for GET /metrics: request latencies by route, the
// inventory per grouping and state, orders by status, and workflows that
// ended in error (counted by Temporal's visibility). The database and
// Temporal figures are read when scraped; a dependency that does not answer
// within the timeout leaves its figures out and counts a scrape error.
import type { Request } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/client';
import { failedRetests, groupingMinimums, groupingStateCounts, orderCounts } from '../db/metrics';
import { withTimeout, type TemporalGateway } from '../temporal/gateway';
import { routeOf } from './middleware/requests';

export interface ApiMetrics {
  registry: Registry;
  observe: (req: Request, status: number, seconds: number) => void; // passed around unbound
  rateLimited: Counter;
  rateLimitStoreErrors: Counter;
  idempotentReplays: Counter;
}

export function createMetrics(deps: { db: Db; temporal: TemporalGateway; timeoutMs: number }): ApiMetrics {
  const registry = new Registry();
  // Node's defaults under their usual names (process_*, nodejs_*), as Node dashboards expect them
  collectDefaultMetrics({ register: registry });
  const scrapeErrors = new Counter({
    name: 'endpoint_inventory_scrape_errors_total',
    help: 'metrics a scrape could not read, by source',
    labelNames: ['source'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'endpoint_inventory_http_request_duration_seconds',
    help: 'API request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'endpoint_inventory_rate_limited_total',
    help: 'requests refused with 429 by the per-key rate limit',
    registers: [registry],
  });
  const rateLimitStoreErrors = new Counter({
    name: 'endpoint_inventory_rate_limit_store_errors_total',
    help: 'rate-limit counts the shared store (PostgreSQL) did not answer in time or at all; each was counted in this API process instead',
    registers: [registry],
  });
  const idempotentReplays = new Counter({
    name: 'endpoint_inventory_idempotent_replays_total',
    help: 'POSTs answered from an earlier request with the same Idempotency-Key',
    registers: [registry],
  });

  const read = async <T>(source: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withTimeout(run(), deps.timeoutMs, source);
    } catch {
      scrapeErrors.inc({ source });
      return undefined;
    }
  };

  // series are labelled with the grouping's id, which never changes: a renamed grouping keeps its
  // history; its name is on the info series alone (join on `grouping` to show it)
  new Gauge({
    name: 'endpoint_inventory_grouping_endpoints',
    help: 'endpoints per classification grouping (its id) and state (exact counts kept by the database)',
    labelNames: ['grouping', 'state'],
    registers: [registry],
    async collect() {
      const rows = await read('postgres', () => groupingStateCounts(deps.db));
      this.reset();
      for (const r of rows ?? []) this.set({ grouping: r.groupingId, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'endpoint_inventory_grouping_minimum',
    help: 'the minimum AVAILABLE each grouping (its id) should hold',
    labelNames: ['grouping'],
    registers: [registry],
    async collect() {
      const rows = await read('postgres', () => groupingMinimums(deps.db));
      this.reset();
      for (const r of rows ?? []) this.set({ grouping: r.groupingId }, r.minAvailable);
    },
  });
  new Gauge({
    name: 'endpoint_inventory_grouping_info',
    help: "each enabled grouping's current name, by its id (always 1): the one series an edit of the name changes",
    labelNames: ['grouping', 'name'],
    registers: [registry],
    async collect() {
      const rows = await read('postgres', () => groupingMinimums(deps.db));
      this.reset();
      for (const r of rows ?? []) this.set({ grouping: r.groupingId, name: r.name }, 1);
    },
  });
  new Gauge({
    name: 'endpoint_inventory_orders',
    help: 'provider orders by direction and status',
    labelNames: ['direction', 'status'],
    registers: [registry],
    async collect() {
      const rows = await read('postgres', () => orderCounts(deps.db));
      this.reset();
      for (const r of rows ?? []) this.set({ direction: r.direction, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'endpoint_inventory_failed_retests',
    help: 're-tests of numbers in service in the last 24 hours that went wrong: pulled (an AVAILABLE number rejected), holder_alerted (an ALLOCATED number lost capabilities)',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const rows = await read('postgres', () => failedRetests(deps.db));
      this.reset();
      for (const outcome of ['pulled', 'holder_alerted']) this.set({ outcome }, rows?.find((r) => r.outcome === outcome)?.n ?? 0);
    },
  });
  new Gauge({
    name: 'endpoint_inventory_workflows_in_error',
    help: 'workflows that ended Failed or TimedOut, by workflow type (Temporal visibility)',
    labelNames: ['status', 'type'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const status of ['Failed', 'TimedOut'] as const) {
        for (const type of ['endpointWorkflow', 'providerOrderWorkflow', 'inventoryMonitorWorkflow', 'inventoryTickWorkflow']) {
          const n = await read('temporal', () => deps.temporal.countWorkflows(`ExecutionStatus = "${status}" AND WorkflowType = "${type}"`));
          if (n === undefined) return;
          this.set({ status, type }, n);
        }
      }
    },
  });

  return {
    registry,
    rateLimited,
    rateLimitStoreErrors,
    idempotentReplays,
    observe(req, status, seconds) {
      latency.observe({ method: req.method, route: routeOf(req), status: String(status) }, seconds);
      if (status === 429) rateLimited.inc();
    },
  };
}
