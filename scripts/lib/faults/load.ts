// The fault suite's clients: one per account, each with its own platform key,
// running every operation of the API in a mix — allocation by criteria and by
// address, reservation then allocation, release, exchange, port-in (polled to
// its end), port-out, feedback, insight, search — plus the call router's
// traffic feed and routing lookup with a router key. Every answer to an
// account is checked for another account's id, every search for a held
// number, every insight of another's number for a 404, every routing lookup
// for the holder the ledger knows.
import { sleep } from '../stack';
import type { Answer, Http } from './http';
import type { Ledger } from './ledger';

export interface LoadContext {
  http: Http;
  ledger: Ledger;
  accounts: string[];
  /** each account's own platform key */
  keys: string[];
  routerKey: string;
  stopped: () => boolean;
  count: (op: string) => void;
}

/** the kinds of operation every run must show (scripts/faults.ts checks them) */
export const CLIENT_OPERATIONS = [
  'allocate:criteria',
  'allocate:address',
  'reserve',
  'release',
  'exchange',
  'port-in',
  'port-out',
  'feedback',
  'traffic',
  'routing',
  'search',
  'insight',
] as const;

const CRITERIA = [{ npa: '415' }, { npa: '628', capabilities: ['sms'] }];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const code = (a: Answer) => a.body.code as string | undefined;

export async function runClient(ctx: LoadContext, i: number): Promise<void> {
  const { http, ledger, accounts } = ctx;
  const accountId = accounts[i]!;
  const key = ctx.keys[i]!;
  let portSeq = 0;
  const v = (what: string): void => {
    ledger.violations.push(what);
  };
  /** no answer to this account names another account */
  const leakCheck = (a: Answer | null, what: string) => {
    if (!a) return;
    for (const other of accounts)
      if (other !== accountId && a.text.includes(other)) v(`answer to ${accountId} (${what}) names ${other}: ${a.text.slice(0, 300)}`);
  };
  const platform = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer | null> => {
    const a = await http.call(method, path, key, body);
    leakCheck(a, `${method} ${path}`);
    return a;
  };
  /** a final answer that should have been a success */
  const unexpected = (op: string, a: Answer, detail = ''): void => {
    v(`${op} answered ${a.status}${detail ? ` (${detail})` : ''}: ${a.text.slice(0, 300)}`);
  };
  const outcome = (op: string, a: Answer | null, ok: (a: Answer) => boolean) => {
    const verdict = !a ? 'gave_up' : ok(a) ? 'ok' : 'refused';
    ctx.count(`${op}:${verdict}`);
    return verdict;
  };

  /** search the shelf; every address answered must be held by no one (held since before the request and still held) */
  async function search(query: string): Promise<string[]> {
    const started = Date.now();
    const a = await platform('GET', `/v1/endpoints?${query}`);
    outcome('search', a, (x) => x.status === 200);
    if (!a) return [];
    if (a.status !== 200) {
      unexpected('search', a);
      return [];
    }
    const found = ((a.body.endpoints as { address: string }[] | undefined) ?? []).map((e) => e.address);
    for (const address of found) {
      const h = ledger.held.get(address);
      if (h && h.since < started) v(`search by ${accountId} offered ${address}, held by client ${h.client} since before the search`);
    }
    return found;
  }

  async function allocateByCriteria(): Promise<boolean> {
    const a = await platform('POST', '/v1/allocations', { accountId, criteria: pick(CRITERIA), applicationUri: `sip:client-${i}@faults.example` });
    const verdict = outcome('allocate:criteria', a, (x) => x.status === 201);
    if (a?.status === 201) ledger.allocated(String(a.body.address), i, 'allocation by criteria');
    else if (a && !(a.status === 409 && code(a) === 'none_available')) unexpected('allocation by criteria', a);
    return verdict === 'ok';
  }

  async function allocateByAddress(reserveFirst: boolean): Promise<void> {
    const found = await search(`${pick(['npa=415', 'npa=628&capabilities=sms'])}&limit=10`);
    if (found.length === 0) return;
    const address = pick(found);
    if (reserveFirst) {
      const r = await platform('POST', '/v1/reservations', { accountId, address, minutes: 2 });
      outcome('reserve', r, (x) => x.status === 201);
      if (!r || r.status !== 201) {
        if (r && r.status !== 409) unexpected('reservation', r);
        return;
      }
    }
    const a = await platform('POST', '/v1/allocations', { accountId, address, applicationUri: `sip:client-${i}@faults.example` });
    outcome('allocate:address', a, (x) => x.status === 201);
    if (a?.status === 201) ledger.allocated(address, i, reserveFirst ? 'reservation then allocation' : 'allocation by address');
    // someone else took it first: "not available" — but not once this account reserved it
    else if (a && (a.status !== 409 || reserveFirst)) unexpected(reserveFirst ? 'allocation of a reserved number' : 'allocation by address', a);
  }

  async function release(address: string): Promise<void> {
    const h = ledger.letGo(address)!;
    const a = await platform('POST', '/v1/releases', { accountId, address });
    outcome('release', a, (x) => x.status === 200);
    if (a?.status === 200) return;
    if (a) unexpected(`release of held ${address}`, a);
    ledger.keep(address, h, 'release');
  }

  async function exchange(address: string): Promise<void> {
    const h = ledger.letGo(address)!;
    const a = await platform('POST', '/v1/exchanges', { accountId, address, criteria: pick(CRITERIA) });
    outcome('exchange', a, (x) => x.status === 201);
    if (a?.status === 201) {
      const got = (a.body.allocated as { address?: string } | undefined)?.address;
      if (got) ledger.allocated(got, i, 'exchange');
      else unexpected('exchange', a, 'no new address');
      return;
    }
    if (a && !(a.status === 409 && code(a) === 'none_available')) unexpected(`exchange of held ${address}`, a);
    if (a) ledger.keep(address, h, 'exchange');
  }

  async function portIn(): Promise<void> {
    // a number of this client's own block (NXX 720+i): never one a carrier issues for these groupings' seed
    const address = `+1628${720 + i}${String(portSeq++ % 10_000).padStart(4, '0')}`;
    const a = await platform('POST', '/v1/port-ins', { accountId, address, losingCarrier: 'faults-losing', capabilities: ['voice', 'sms'] });
    outcome('port-in', a, (x) => x.status === 202);
    if (a?.status === 202) ledger.portIns.set(String(a.body.id), { client: i, address });
    else if (a && a.status !== 409) unexpected('port-in', a);
  }

  /** a port-in of this client seen to its end: COMPLETED → held, REJECTED → not */
  async function pollPortIn(): Promise<void> {
    const mine = [...ledger.portIns].filter(([, p]) => p.client === i);
    if (mine.length === 0) return;
    const [id, p] = pick(mine);
    const a = await platform('GET', `/v1/ports/${id}`);
    outcome('port-status', a, (x) => x.status === 200);
    if (!a) return;
    if (a.status !== 200) return unexpected('port-in status', a);
    const status = String(a.body.status);
    if (status !== 'COMPLETED' && status !== 'REJECTED') return;
    ledger.portIns.delete(id);
    ledger.portsDone.set(id, { ...p, status });
    if (status === 'COMPLETED') ledger.allocated(p.address, i, 'port-in');
  }

  async function portOut(address: string): Promise<void> {
    const h = ledger.letGo(address)!;
    const a = await platform('POST', '/v1/port-outs', { accountId, address, gainingCarrier: 'faults-gaining' });
    outcome('port-out', a, (x) => x.status === 202);
    if (a?.status === 202) {
      ledger.portedOut.add(address);
      return;
    }
    if (a) unexpected(`port-out of held ${address}`, a);
    ledger.keep(address, h, 'port-out');
  }

  async function feedback(address: string): Promise<void> {
    // scores at or above QUALITY_RETEST_BELOW: a held number is not sent back to testing mid-run
    const a = await platform('POST', '/v1/feedback', { accountId, address, score: 0.5 + Math.random() * 0.5, source: 'faults' });
    outcome('feedback', a, (x) => x.status === 202);
    if (a && a.status !== 202) unexpected(`feedback on held ${address}`, a);
  }

  /** the call router: inbound traffic on a held number, then where it routes — to its holder */
  async function router(address: string, lookup: boolean): Promise<void> {
    const started = Date.now();
    if (!lookup) {
      const a = await http.call('POST', '/v1/traffic', ctx.routerKey, { address, medium: pick(['voice', 'messaging']), count: 1 });
      outcome('traffic', a, (x) => x.status === 202);
      if (a && a.status !== 202) unexpected('traffic', a);
      return;
    }
    const a = await http.call('GET', `/v1/routes/${encodeURIComponent(address)}`, ctx.routerKey);
    outcome('routing', a, (x) => x.status === 200);
    const h = ledger.held.get(address);
    if (!a || !h || h.since >= started) return; // let go or re-held meanwhile: nothing to compare
    if (a.status !== 200) return unexpected(`routing lookup of held ${address}`, a);
    if (a.body.accountId !== accounts[h.client]) v(`routing lookup of ${address} names ${String(a.body.accountId)}, held by ${accounts[h.client]}`);
  }

  /** insight: this account's own number answers; another's answers 404 (the leak check covers any text) */
  async function insight(): Promise<void> {
    const started = Date.now();
    const others = ledger.othersHeldBefore(i, started);
    const own = ledger.mine(i);
    const theirs = others.length > 0 && (own.length === 0 || Math.random() < 0.6);
    const address = theirs ? pick(others)[0] : own.length ? pick(own) : undefined;
    if (!address) return;
    const a = await platform('GET', `/v1/endpoints/${encodeURIComponent(address)}`);
    outcome('insight', a, (x) => x.status === (theirs ? 404 : 200));
    if (!a) return;
    const h = ledger.held.get(address);
    if (!h || h.since >= started) return; // let go meanwhile
    if (h.client !== i && a.status !== 404)
      v(`insight of ${address} (held by client ${h.client}) answered ${a.status} to ${accountId}: ${a.text.slice(0, 300)}`);
    if (h.client === i && a.status !== 200) unexpected(`insight of own ${address}`, a);
  }

  while (!ctx.stopped()) {
    const holding = ledger.mine(i);
    const r = Math.random();
    let empty = false;
    if (holding.length < 2 || r < 0.16) empty = !(await allocateByCriteria());
    else if (r < 0.21) await allocateByAddress(false);
    else if (r < 0.25) await allocateByAddress(true);
    else if (r < 0.39) await release(pick(holding));
    else if (r < 0.44) await exchange(pick(holding));
    else if (r < 0.46) await portIn();
    else if (r < 0.5) await pollPortIn();
    else if (r < 0.52) await portOut(pick(holding));
    else if (r < 0.58) await feedback(pick(holding));
    else if (r < 0.64) await router(pick(holding), false);
    else if (r < 0.7) await router(pick(holding), true);
    else if (r < 0.78) await insight();
    else await search(pick(['npa=415', 'npa=628&capabilities=sms', `contains=${5550 + Math.floor(Math.random() * 400)}`, 'near=%2B14155550100&limit=5']));
    if (empty) await sleep(300); // the shelf is empty: the monitor is ordering
  }
}
