// How an order reaches a carrier. API carriers get an HTTP call carrying the
// order's idempotency key (a retried submission is the same order to them);
// carriers without an API get a filled-in form and an operator alert — the
// operator's later entry of the delivered numbers completes an acquire order,
// the operator's confirmation a release order (numbers handed back).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HandBackForm } from '../domain/delivery';
import type { TestTrafficRequest } from '../domain/harness';

export interface OrderForCarrier {
  orderId: string;
  idempotencyKey: string;
  providerName: string;
  lines: { lineId: string; quantity: number; npa: string | null; country: string | null; kind: string | null; capabilities: string[] }[];
}

/** Numbers a release order hands back: released (they were spare) or returned (they were rejected). */
export type ReleaseForCarrier = HandBackForm;

export type HandBackResult = { kind: 'released' } | { kind: 'form'; csvPath: string; htmlPath: string };

export type SubmitResult = { kind: 'submitted'; carrierOrderId: string } | { kind: 'form'; csvPath: string; htmlPath: string };

export interface CarrierAdapter {
  submit(order: OrderForCarrier): Promise<SubmitResult>;
  cancel(carrierOrderId: string): Promise<void>;
  returnNumbers(orderId: string, numbers: { address: string; reason: string }[]): Promise<void>;
  release(order: ReleaseForCarrier): Promise<HandBackResult>;
}

/**
 * A carrier network's test-call API (the capability tests' harness): asked to
 * place a test call, or send a test SMS / MMS / fax, to a number (or, for the
 * outbound call test, to take a call from it on its test line), carrying the
 * platform's payload. It answers at once; the call or message itself reaches
 * the platform later at its inbound entry (POST /v1/carriers/{id}/inbound,
 * signed like the carrier's webhooks) — or does not. The carrier simulator
 * plays one (POST /carriers/{id}/test-traffic); a real carrier's test-call
 * API fits the same shape.
 */
export interface CarrierTestNetwork {
  requestTestTraffic(req: TestTrafficRequest): Promise<{ testId: string }>;
}

/** A carrier's answer that retrying cannot change (4xx other than 429). */
export class CarrierRejected extends Error {}

/**
 * A carrier call that may succeed later: a 5xx, a 429, no answer in time, or no
 * connection. Not retried here: the activity fails and Temporal's retry policy
 * (the workflow's proxyActivities) tries again, after `retryAfterMs` when the
 * carrier said how long to wait (429's Retry-After).
 */
export class CarrierUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface HttpOptions {
  /** one HTTP call gives up after this long */
  timeoutMs: number;
}

export class ApiCarrierAdapter implements CarrierAdapter, CarrierTestNetwork {
  constructor(
    private readonly baseUrl: string,
    private readonly http: HttpOptions = { timeoutMs: 5_000 },
  ) {}

  /** One HTTP call: the answer, CarrierRejected (4xx) or CarrierUnavailable (anything else that failed). */
  private async call(path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.http.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      throw new CarrierUnavailable(
        e.name === 'TimeoutError'
          ? `carrier did not answer within ${this.http.timeoutMs} ms`
          : `carrier unreachable: ${e.message}${e.cause ? ` (${(e.cause as Error).message})` : ''}`,
      );
    }
    if (res.ok) return await res.json();
    const text = (await res.text().catch(() => '')).slice(0, 200);
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      throw new CarrierUnavailable('carrier rate-limited the request (429)', after > 0 ? after * 1000 : undefined);
    }
    if (res.status >= 500) throw new CarrierUnavailable(`carrier answered ${res.status}: ${text}`);
    throw new CarrierRejected(`carrier refused the request (${res.status}): ${text}`);
  }

  async submit(order: OrderForCarrier): Promise<SubmitResult> {
    const res = (await this.call(
      '/orders',
      {
        lines: order.lines.map((l) => ({
          lineId: l.lineId,
          quantity: l.quantity,
          ...(l.npa ? { npa: l.npa } : {}),
          ...(l.country ? { country: l.country } : {}),
          ...(l.kind ? { kind: l.kind } : {}),
          capabilities: l.capabilities,
        })),
      },
      { 'idempotency-key': order.idempotencyKey },
    )) as { carrierOrderId?: string };
    if (!res.carrierOrderId) throw new Error('carrier accepted the order without an order id');
    return { kind: 'submitted', carrierOrderId: res.carrierOrderId };
  }

  async cancel(carrierOrderId: string): Promise<void> {
    await this.call(`/orders/${encodeURIComponent(carrierOrderId)}/cancel`, {});
  }

  async returnNumbers(orderId: string, numbers: { address: string; reason: string }[]): Promise<void> {
    if (numbers.length) await this.call('/returns', { orderId, numbers });
  }

  async requestTestTraffic(req: TestTrafficRequest): Promise<{ testId: string }> {
    const res = (await this.call('/test-traffic', req)) as { testId?: string };
    return { testId: res.testId ?? '' };
  }

  async release(order: ReleaseForCarrier): Promise<HandBackResult> {
    if (order.numbers.length) await this.call('/releases', { numbers: order.numbers.map((n) => n.address) });
    return { kind: 'released' };
  }
}

export class ManualCarrierAdapter implements CarrierAdapter {
  constructor(
    private readonly formsDir: string,
    private readonly providerName = '',
  ) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- the adapter interface is async; a failed write becomes a rejection (the activity retries)
  async submit(order: OrderForCarrier): Promise<SubmitResult> {
    mkdirSync(this.formsDir, { recursive: true });
    const csvPath = join(this.formsDir, `order-${order.orderId}.csv`);
    const htmlPath = join(this.formsDir, `order-${order.orderId}.html`);
    writeFileSync(csvPath, orderFormCsv(order));
    writeFileSync(htmlPath, orderFormHtml(order));
    return { kind: 'form', csvPath, htmlPath };
  }
  // no API to call: an order the carrier never saw by API has nothing to cancel there
  async cancel(): Promise<void> {}

  /** Mismatched numbers of an acquire order: a return form for the operator to send (one per batch of numbers). */
  // eslint-disable-next-line @typescript-eslint/require-await -- the adapter interface is async; a failed write becomes a rejection (the activity retries)
  async returnNumbers(orderId: string, numbers: { address: string; reason: string }[]): Promise<void> {
    if (!numbers.length) return;
    const batch = createHash('sha256')
      .update(
        numbers
          .map((n) => n.address)
          .sort()
          .join(','),
      )
      .digest('hex')
      .slice(0, 8);
    this.write(`return-${orderId}-${batch}`, { orderId, providerName: this.providerName, numbers: numbers.map((n) => ({ ...n, action: 'return' as const })) });
  }

  /** A release order's numbers: a form the operator sends, then confirms (POST /v1/orders/{id}/confirmations). */
  // eslint-disable-next-line @typescript-eslint/require-await -- the adapter interface is async; a failed write becomes a rejection (the activity retries)
  async release(order: ReleaseForCarrier): Promise<HandBackResult> {
    return { kind: 'form', ...this.write(`release-${order.orderId}`, order) };
  }

  private write(name: string, order: ReleaseForCarrier): { csvPath: string; htmlPath: string } {
    mkdirSync(this.formsDir, { recursive: true });
    const csvPath = join(this.formsDir, `${name}.csv`);
    const htmlPath = join(this.formsDir, `${name}.html`);
    writeFileSync(csvPath, releaseFormCsv(order));
    writeFileSync(htmlPath, releaseFormHtml(order));
    return { csvPath, htmlPath };
  }
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function orderFormCsv(order: OrderForCarrier): string {
  const rows = [['order_id', 'reference', 'line', 'quantity', 'country', 'area_code', 'kind', 'capabilities']];
  for (const l of order.lines)
    rows.push([order.orderId, order.idempotencyKey, l.lineId, String(l.quantity), l.country ?? '', l.npa ?? '', l.kind ?? '', l.capabilities.join(' ')]);
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function orderFormHtml(order: OrderForCarrier): string {
  const total = order.lines.reduce((a, l) => a + l.quantity, 0);
  const rows = order.lines
    .map(
      (l) =>
        `<tr><td>${esc(l.lineId.slice(0, 8))}</td><td>${l.quantity}</td><td>${esc(l.country ?? 'any')}</td><td>${esc(l.npa ?? 'any')}</td><td>${esc(l.kind ?? 'any')}</td><td>${esc(l.capabilities.join(', ') || 'any')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Number order ${esc(order.orderId)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px}@media print{button{display:none}}</style></head>
<body><h1>Telephone number order</h1>
<p>To: ${esc(order.providerName)}<br>Order: ${esc(order.orderId)}<br>Reference (quote it on delivery): ${esc(order.idempotencyKey)}<br>Total numbers: ${total}</p>
<table><tr><th>Line</th><th>Quantity</th><th>Country</th><th>Area code</th><th>Kind</th><th>Capabilities</th></tr>
${rows}</table>
<p>Please deliver the numbers with this reference. Signed: ____________________ Date: __________</p>
<button onclick="print()">Print</button></body></html>
`;
}

export function releaseFormCsv(order: ReleaseForCarrier): string {
  const rows = [['order_id', 'action', 'number', 'reason']];
  for (const n of order.numbers) rows.push([order.orderId, n.action, n.address, n.reason]);
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export function releaseFormHtml(order: ReleaseForCarrier): string {
  const rows = order.numbers.map((n) => `<tr><td>${esc(n.address)}</td><td>${esc(n.action)}</td><td>${esc(n.reason)}</td></tr>`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Numbers handed back ${esc(order.orderId)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px}@media print{button{display:none}}</style></head>
<body><h1>Telephone numbers handed back</h1>
<p>To: ${esc(order.providerName || 'the carrier')}<br>Reference (quote it in your confirmation): ${esc(order.orderId)}<br>Numbers: ${order.numbers.length}</p>
<p>Please disconnect and take back these numbers (release: no longer needed; return: did not pass our checks).</p>
<table><tr><th>Number</th><th>Action</th><th>Reason</th></tr>
${rows}</table>
<p>Signed: ____________________ Date: __________</p>
<button onclick="print()">Print</button></body></html>
`;
}
