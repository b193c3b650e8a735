// Runs the carrier simulator as its own process for the demo: `node --import tsx src/carriers/simulator/main.ts`.
// Configured from the environment only, so scripts can start it without a config file.
import type { Server } from 'node:http';
import { z } from 'zod';
import { createLogger } from '../../logger';
import { carrierConfigSchema, createSimulator } from './simulator';

const envSchema = z.object({
  SIM_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_WEBHOOK_BASE: z.url().default('http://127.0.0.1:3000/v1/carriers'),
  SIM_TRAFFIC_URL: z.url().default('http://127.0.0.1:3000/v1/traffic'),
  /** an API key (platform or operator) for the traffic feed; without one the API answers 401 */
  SIM_TRAFFIC_KEY: z.string().min(1).optional(),
  SIM_CARRIERS: z
    .string()
    .default('[{"id":"sim-west","secret":"sim-west-secret"}]')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of carrier configs' });
        return z.NEVER;
      }
    })
    .pipe(z.array(carrierConfigSchema).min(1)),
  SIM_SEED: z.coerce.number().int().optional(),
  LOG_LEVEL: z.string().default('info'),
});

function main(): void {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`bad simulator environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const env = parsed.data;
  if (process.env.EI_MODE === 'production' && !process.env.SIM_CARRIERS) {
    throw new Error('EI_MODE=production: SIM_CARRIERS is unset, so the simulator would sign webhooks with the demo default secret; set SIM_CARRIERS');
  }
  const log = createLogger(env.LOG_LEVEL, 'carrier-simulator');
  // Logging the seed lets anyone replay a surprising demo run exactly.
  const seed = env.SIM_SEED ?? Math.floor(Math.random() * 2 ** 31);
  const sim = createSimulator({
    carriers: env.SIM_CARRIERS,
    webhookBase: env.SIM_WEBHOOK_BASE,
    trafficUrl: env.SIM_TRAFFIC_URL,
    trafficKey: env.SIM_TRAFFIC_KEY,
    seed,
    log,
  });
  const server: Server = sim.app.listen(env.SIM_PORT, env.SIM_HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : env.SIM_PORT;
    log.info(
      { url: `http://${env.SIM_HOST}:${port}`, seed, carriers: env.SIM_CARRIERS.map((c) => c.id), webhookBase: env.SIM_WEBHOOK_BASE },
      'carrier simulator listening',
    );
  });
  server.on('error', (err) => {
    log.error({ err }, 'carrier simulator could not listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'carrier simulator stopping');
    sim.close(); // answers hanging requests and drops pending deliveries, so close() below can finish
    server.close(() => {
      log.info('carrier simulator stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

try {
  main();
} catch (err: unknown) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
