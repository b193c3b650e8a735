// The worker's GET /metrics at WORKER_METRICS_ADDRESS: its own metrics (Node's
// defaults under their usual names, prom-client's collectDefaultMetrics) and
// the Temporal SDK's (temporal_*: task slots, polls, schedule-to-start
// latencies, sticky cache, workflow and activity outcomes), which the SDK's
// exporter serves on a loopback address (WORKER_SDK_METRICS_ADDRESS) and this
// endpoint reads at each scrape — one scrape target per worker, behind
// METRICS_KEY like the API's.
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { metricsKeyCheck } from '../src/metrics-key';
import type { Logger } from '../src/logger';

/** `host:port` (or `[v6]:port`) → its parts */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!m) throw new Error(`not a host:port address: "${address}"`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** A loopback address no one listens on now, for the SDK's exporter when WORKER_SDK_METRICS_ADDRESS is unset. */
export async function freeLoopbackAddress(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function serveWorkerMetrics(opts: {
  address: string;
  /** where the SDK's exporter listens */
  sdkAddress: string;
  metricsKey?: string;
  log: Logger;
  /** each read of the SDK's metrics gives up after this long */
  timeoutMs?: number;
}): Promise<WorkerMetricsServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const scrapeErrors = new Counter({
    name: 'endpoint_inventory_worker_scrape_errors_total',
    help: "metrics a scrape of the worker could not read, by source (temporal_sdk: the SDK's exporter did not answer)",
    labelNames: ['source'],
    registers: [registry],
  });
  scrapeErrors.inc({ source: 'temporal_sdk' }, 0);
  const allowed = metricsKeyCheck(opts.metricsKey);
  const sdkUrl = `http://${opts.sdkAddress}/metrics`;
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
        return;
      }
      if (!allowed(req.headers.authorization)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Authorization: /metrics wants Bearer <METRICS_KEY>\n');
        return;
      }
      let sdk = '';
      try {
        const r = await fetch(sdkUrl, { signal: AbortSignal.timeout(opts.timeoutMs ?? 2000) });
        if (!r.ok) throw new Error(`answered ${r.status}`);
        sdk = await r.text();
      } catch (err) {
        scrapeErrors.inc({ source: 'temporal_sdk' });
        opts.log.warn(
          { err: (err as Error).message, sdk: sdkUrl },
          "worker metrics: the Temporal SDK's exporter did not answer; its metrics left out of this scrape",
        );
      }
      const own = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(`${own}${own.endsWith('\n') ? '' : '\n'}${sdk}`);
    })().catch((err: unknown) => {
      opts.log.error({ err: (err as Error).message }, 'worker metrics: scrape failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const { host, port } = splitAddress(opts.address);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
