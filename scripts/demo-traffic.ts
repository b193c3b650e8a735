// The demo's customers: a stream of allocations and releases through the API
// with the demo's platform key, so groupings run low and the monitor has work:
// re-order, delivery, quarantine, tests, offer. Each request carries an
// Idempotency-Key (a retry after a network error is the same request).
import { randomUUID } from 'node:crypto';

const WANTS = [
  { criteria: { npa: '628', capabilities: ['sms'] }, weight: 3 },
  { criteria: { npa: '415' }, weight: 2 },
  { criteria: { capabilities: ['sms'] }, weight: 1 },
] as const;
const ACCOUNTS = ['acct-demo-1', 'acct-demo-2'];

export interface DemoTrafficOptions {
  api: string;
  platformKey: string;
  /** one allocation attempt per interval */
  intervalMs: number;
  /** an allocated number is released after between 1 and 3 of these */
  holdMs: number;
  log: (line: string) => void;
  /** how often a summary line is printed */
  reportEveryMs?: number;
}

export function driveDemoTraffic(o: DemoTrafficOptions): { stop(): void } {
  const held: { address: string; accountId: string; releaseAt: number }[] = [];
  const counts = { allocated: 0, released: 0, noneAvailable: 0, refused: 0, errors: 0 };
  let stopped = false;
  let tick = 0;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${o.api}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.platformKey}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { address?: string; code?: string; detail?: string } };
  };
  const pick = () => {
    const total = WANTS.reduce((n, w) => n + w.weight, 0);
    let r = Math.random() * total;
    for (const w of WANTS) if ((r -= w.weight) < 0) return w.criteria;
    return WANTS[0].criteria;
  };

  const step = async () => {
    const now = Date.now();
    // releases first: about half of what is held goes back after a while
    for (const h of held.filter((x) => x.releaseAt <= now)) {
      held.splice(held.indexOf(h), 1);
      const r = await post('/v1/releases', { accountId: h.accountId, address: h.address });
      if (r.status === 200) counts.released++;
      else counts.refused++;
    }
    const accountId = ACCOUNTS[tick++ % ACCOUNTS.length]!;
    const criteria = pick();
    const r = await post('/v1/allocations', { accountId, criteria, applicationUri: `sip:app@${accountId}.demo.example` });
    if (r.status === 201 && r.body.address) {
      counts.allocated++;
      if (Math.random() < 0.5) held.push({ address: r.body.address, accountId, releaseAt: now + o.holdMs * (1 + Math.random() * 2) });
    } else if (r.body.code === 'none_available') counts.noneAvailable++;
    else counts.refused++;
  };

  const loop = async () => {
    while (!stopped) {
      await step().catch(() => {
        counts.errors++;
      });
      await new Promise((r) => setTimeout(r, o.intervalMs));
    }
  };
  void loop();
  const report = setInterval(() => {
    o.log(
      `demo traffic: ${counts.allocated} allocated, ${counts.released} released, ${counts.noneAvailable} none available, ${counts.refused} refused, ${counts.errors} errors; holding ${held.length} for release`,
    );
  }, o.reportEveryMs ?? 30_000);
  return {
    stop() {
      stopped = true;
      clearInterval(report);
    },
  };
}
