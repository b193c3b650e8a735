// A failed re-test of an allocated number: the platform is told (its account
// owner's number no longer does what it did), and the operators see it — a
// warning in the worker's log, the history row's details (`holderAlerted`),
// and the failed re-tests metric. There was no outbound webhook to the
// platform before this: a minimal one, a JSON POST signed like the carriers'
// webhooks (HMAC-SHA256 over `timestamp.body`, `x-inventory-timestamp` and
// `x-inventory-signature`), retried by the activity's policy until the
// platform answers 2xx. `alertId` is the same on every retry: the platform
// dedupes by it.
import { signWebhook } from '../carriers/webhook';
import type { Logger } from '../logger';

export const PLATFORM_SIGNATURE_HEADER = 'x-inventory-signature';
export const PLATFORM_TIMESTAMP_HEADER = 'x-inventory-timestamp';

export interface HolderAlert {
  accountId: string;
  address: string;
  endpointId: string;
  /** the endpoint's version after the re-test's transition: with the endpoint, the alert's identity */
  version: number;
  /** true: routing failed or nothing works; false: some capabilities were lost */
  failed: boolean;
  lost: string[];
  reason: string;
}

export interface AlertDeps {
  log: Logger;
  /** PLATFORM_WEBHOOK_URL and its secret; absent: logged only */
  webhook?: { url: string; secret: string; timeoutMs?: number };
}

export async function alertHolder(deps: AlertDeps, alert: HolderAlert): Promise<{ sent: boolean }> {
  const alertId = `${alert.endpointId}@v${alert.version}`;
  deps.log.warn(
    { ...alert, alertId },
    `re-test of allocated ${alert.address} (account ${alert.accountId}) ${alert.failed ? 'failed' : `lost ${alert.lost.join(', ')}`}`,
  );
  if (!deps.webhook) return { sent: false };
  await postPlatformEvent(deps.webhook, { type: 'endpoint.retest_failed', alertId, ...alert, at: new Date().toISOString() }, `the alert ${alertId}`);
  return { sent: true };
}

/** One signed POST of an event to the platform; throws unless it answers 2xx (the caller's retry policy sends it again). */
export async function postPlatformEvent(webhook: NonNullable<AlertDeps['webhook']>, event: object, id: string): Promise<void> {
  const body = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(webhook.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [PLATFORM_TIMESTAMP_HEADER]: String(timestamp),
      [PLATFORM_SIGNATURE_HEADER]: signWebhook(webhook.secret, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(webhook.timeoutMs ?? 10_000),
  });
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`the platform answered ${res.status} to ${id}`);
}
