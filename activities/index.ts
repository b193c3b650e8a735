// Every activity, built from its dependencies (no globals), so tests can hand
// in their own database and the worker its own.
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import type { Harness } from '../src/harness/harness';
import { endpointActivities } from './endpoints';
import { inventoryActivities } from './inventory';
import { orderActivities } from './orders';
import { accountActivities } from './accounts';
import { inactivityActivities, type InactivitySettings } from './inactivity';
import type { HttpOptions } from '../src/carriers/adapter';
// the one Client type outside src/temporal: workers and tests hand theirs in
import type { Client } from '@temporalio/client';
import { TemporalGateway } from '../src/temporal/gateway';
import { TASK_QUEUE, type InventoryMonitorInput, type LifecyclePolicy } from '../workflows/shared';

export interface ActivityDeps {
  db: Db;
  log: Logger;
  /** the capability tests' carrier network (src/harness/harness.ts) */
  harness: Harness;
  /** for activities that message workflows (accepted numbers, release orders, the monitor's wake-up) */
  client?: Client;
  monitorInput?: InventoryMonitorInput;
  taskQueue?: string;
  /** for numbers accepted from deliveries */
  policy: LifecyclePolicy;
  /** where order forms for carriers without an API are written */
  formsDir?: string;
  carrierHttp?: HttpOptions;
  /** what the monitor's pass deletes (src/db/retention.ts); without it nothing is pruned */
  retention?: { retentionMs: number; webhookToleranceMs: number };
  /** PLATFORM_WEBHOOK_URL and its secret: where failed re-tests of allocated numbers are reported */
  platformWebhook?: { url: string; secret: string };
  /** UNMET_DEMAND_PER_ACCOUNT (default 5) */
  unmetPerAccount?: number;
  /** INACTIVITY_NOTIFY_AFTER, INACTIVITY_RELEASE_AFTER, INACTIVITY_SWEEP_EVERY; absent (or notify 0): the policy is off */
  inactivity?: InactivitySettings;
  /** RELEASE_PREDICTION_HORIZON and friends (src/config.ts releasePrediction); absent: acquisitions predict no releases */
  releasePrediction?: { horizonMs: number; shelfDelayMs: number; lookbackMs: number; refreshMs?: number };
}

export function createActivities(deps: ActivityDeps) {
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const temporal = deps.client ? TemporalGateway.fromClient(deps.client, taskQueue) : undefined;
  return {
    ...endpointActivities(deps.db, deps.harness, { log: deps.log, webhook: deps.platformWebhook }),
    ...inventoryActivities({
      db: deps.db,
      temporal,
      monitorInput: deps.monitorInput,
      log: deps.log,
      retention: deps.retention,
      unmetPerAccount: deps.unmetPerAccount,
      releasePrediction: deps.releasePrediction,
    }),
    ...accountActivities({ db: deps.db, temporal }),
    ...inactivityActivities({ db: deps.db, log: deps.log, temporal, webhook: deps.platformWebhook, settings: deps.inactivity }),
    ...orderActivities({
      db: deps.db,
      temporal,
      taskQueue,
      policy: deps.policy,
      formsDir: deps.formsDir ?? '.ei/order-forms',
      http: deps.carrierHttp,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
