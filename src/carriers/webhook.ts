// Signed carrier webhooks: `x-carrier-signature: sha256=<hex HMAC-SHA256(secret,
// timestamp + "." + raw body)>` with `x-carrier-timestamp: <unix seconds>`.
// The service verifies with this; the carrier simulator signs with it.
// A stale timestamp is refused, so a captured webhook cannot be replayed
// later; within the tolerance each signature is taken once (webhook_receipts),
// in its canonical spelling (canonicalSignature): hex is case-insensitive, so
// `sha256=AB…` and `sha256=ab…` are the same signature.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-carrier-signature';
export const TIMESTAMP_HEADER = 'x-carrier-timestamp';

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`. */
export function signWebhook(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  return `sha256=${hmac(secret, timestamp, rawBody).toString('hex')}`;
}

function hmac(secret: string, timestamp: number | string, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

export type VerifyFailure = 'missing signature' | 'bad signature format' | 'stale timestamp' | 'signature mismatch';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

/**
 * Checks a webhook against the raw bytes received (re-serialised JSON would not match).
 * `now` is epoch milliseconds or a Date; `toleranceSeconds` (default 300) bounds replays.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string | Buffer,
  opts: { toleranceSeconds?: number; now?: number | Date } = {},
): VerifyResult {
  const signature = header(headers, SIGNATURE_HEADER);
  const timestamp = header(headers, TIMESTAMP_HEADER);
  if (!signature || !timestamp) return { ok: false, reason: 'missing signature' };
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(signature)?.[1];
  if (!hex || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad signature format' };
  // Authenticity first, so "stale" is only ever said of a message the carrier really sent.
  if (!timingSafeEqual(hmac(secret, timestamp, rawBody), Buffer.from(hex, 'hex'))) {
    return { ok: false, reason: 'signature mismatch' };
  }
  const nowSeconds = Math.floor(Number(opts.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) {
    return { ok: false, reason: 'stale timestamp' };
  }
  return { ok: true };
}

/**
 * The signature as one spelling, `sha256=<lowercase hex>`, whatever case it was sent
 * in (the check accepts either): what a receipt is kept under. Undefined when the
 * header is missing or not a signature.
 */
export function canonicalSignature(headers: Record<string, string | string[] | undefined>): string | undefined {
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header(headers, SIGNATURE_HEADER) ?? '')?.[1];
  return hex === undefined ? undefined : `sha256=${hex.toLowerCase()}`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}
