// Brings numbers into the repository: parses and checks each address, hands
// the new ones to the repository in bulk (already in quarantine, or porting in
// for an account) and starts one lifecycle workflow each. Safe to repeat: a
// known address is reported, not inserted again, and a workflow start for an
// id that runs already is a no-op.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { enterRepository, type Entry, type NewEndpoint } from '../db/endpoints';
import { entriesAt } from '../db/reconcile';
import { TemporalGateway } from '../temporal/gateway';
import { NO_CAPABILITIES } from '../temporal/endpoints';
import { parseAddress, AddressError, type EndpointKind, type ParsedAddress } from '../domain/numbers';
import { listRules } from '../db/country-rules';
import { effectiveRule, type CountryRule } from '../domain/regulation';
import { inherentTags, measuredTags } from '../domain/classification';
import { placeOf } from '../domain/geo';
import type { Capabilities, LifecyclePolicy } from '../domain/endpoint';
import { startWorkflowForRow } from './restart';

export interface IngestItem {
  address: string;
  capable?: Partial<Capabilities>;
  monthlyCostCents?: number;
  /** what the carrier's delivery says of a NANP number's place */
  rateCenter?: string;
  lata?: string;
}

export interface IngestOptions {
  /** quarantine: a delivered number; port-in: a customer's number joining for that account */
  entry: 'quarantine' | 'port-in';
  accountId?: string;
  providerId?: string;
  orderId?: string;
  defaultCountry?: string;
  actor: string;
  /**
   * What brings them in, recorded with each first history row. Default:
   * `ingest:<orderId>`, `port-in:<accountId>`, else `import:<uuid>`.
   */
  operation?: string;
  /**
   * This run may repeat an interrupted one (an import killed between inserting
   * a batch and starting its workflows, a port-in retried): a known address
   * whose row is still at its entry (version 1, this entry's state and
   * account) and was brought in by an operation this accepts gets its
   * workflow started if it has none, and is listed in `resumed` (it stays a
   * duplicate: it was not inserted now).
   */
  resume?: (entryOperation: string) => boolean;
  /** workflow starts in flight at once */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface IngestResult {
  accepted: { address: string; endpointId: string }[];
  rejected: { input: string; reason: string }[];
  duplicates: string[];
  /** with `resume`: duplicates this run's own operation(s) brought in; `started`: their workflow was missing and is started now */
  resumed?: { address: string; endpointId: string; started: boolean }[];
}

export interface IngestDeps {
  db: Db;
  temporal: TemporalGateway;
  policy: LifecyclePolicy;
}

/** The shape callers with a bare Client use (tests, scripts). */
export interface IngestClientDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  policy: LifecyclePolicy;
}

const CHUNK = 1000;
// nothing measured yet: the capabilities it should have (so groupings count it
// as on its way), quality unknown, clean
const initialMeasured = (capable: Capabilities) => measuredTags({ enabled: capable, qualityScore: null, voiceCleanliness: 1, messagingCleanliness: 1 });

/** ingest() over a bare Client. */
export function ingestEndpoints(deps: IngestClientDeps, items: IngestItem[], opts: IngestOptions): Promise<IngestResult> {
  return ingest({ db: deps.db, temporal: TemporalGateway.fromClient(deps.client, deps.taskQueue), policy: deps.policy }, items, opts);
}

export async function ingest(deps: IngestDeps, items: IngestItem[], opts: IngestOptions): Promise<IngestResult> {
  if (opts.entry === 'port-in' && !opts.accountId) throw new Error('port-in needs an accountId');
  const result: IngestResult = { accepted: [], rejected: [], duplicates: [] };
  const parsed = new Map<string, { p: ParsedAddress; capable: Capabilities; cost: number; item: IngestItem }>();
  for (const item of items) {
    try {
      const p = parseAddress(item.address, { defaultCountry: opts.defaultCountry });
      if (parsed.has(p.address)) result.duplicates.push(p.address);
      else parsed.set(p.address, { p, capable: defaultCapable(item), cost: item.monthlyCostCents ?? 0, item });
    } catch (err) {
      if (!(err instanceof AddressError)) throw err;
      result.rejected.push({ input: item.address, reason: err.reason });
    }
  }

  const entry = entryOf(opts, deps.policy);
  const rows: NewEndpoint[] = [...parsed.values()].map(({ p, capable, cost, item }) => {
    const place = placeOf(p);
    return {
      address: p.address,
      kind: p.kind,
      country: p.country,
      npa: p.npa,
      nxx: p.nxx,
      line: p.line,
      digits: p.digits,
      tags: [...inherentTags(p, place), ...initialMeasured(capable)].sort(),
      capable,
      monthlyCostCents: cost,
      place: { ...place, rateCenter: item.rateCenter ?? null, lata: item.lata ?? null },
    };
  });
  // a delivered number rests as long as its country's rule says (src/domain/regulation.ts), else QUARANTINE_NEW;
  // its entry's history row names the rule version and duration it used
  const rules = entry.quarantineUntil && rows.length ? await listRules(deps.db) : [];
  const ruleOf = (r: NewEndpoint) => {
    const rule = effectiveRule(rules, r.country, r.kind as EndpointKind);
    if (rule?.quarantineMs == null || !entry.quarantineUntil) return null;
    const from =
      rules.find((x) => x.country === rule.country && x.kind === rule.kind && x.quarantineSeconds !== null) ??
      rules.find((x) => x.country === rule.country && x.kind === null);
    return { country: rule.country, kind: from?.kind ?? null, version: from?.version ?? 0, quarantineMs: rule.quarantineMs };
  };
  const entryUntil = new Map<string, Date | null>();
  const groups = new Map<string, { entry: Entry; rows: NewEndpoint[] }>();
  for (const r of rows) {
    const rule = ruleOf(r);
    const until = rule ? new Date(entry.quarantineUntil!.getTime() - deps.policy.quarantineNewMs + rule.quarantineMs) : entry.quarantineUntil;
    entryUntil.set(r.address, until);
    const key = JSON.stringify(rule);
    const group = groups.get(key) ?? { entry: { ...entry, quarantineUntil: until, ...(rule ? { details: { countryRule: rule } } : {}) }, rows: [] };
    group.rows.push(r);
    groups.set(key, group);
  }
  const created: { id: string; address: string }[] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.rows.length; i += CHUNK) created.push(...(await enterRepository(deps.db, group.rows.slice(i, i + CHUNK), group.entry)));
  }
  const createdSet = new Set(created.map((r) => r.address));
  for (const r of rows) if (!createdSet.has(r.address)) result.duplicates.push(r.address);

  let done = 0;
  await forEachLimit(created, opts.concurrency ?? 64, async ({ id, address }) => {
    const { p, capable } = parsed.get(address)!;
    await deps.temporal.endpoints.start(
      {
        address,
        endpointId: id,
        state: entry.state,
        version: 1,
        kind: p.kind,
        country: p.country,
        npa: p.npa,
        capable,
        accountId: entry.accountId ?? null,
        phaseEndsAt: entryUntil.get(address)?.getTime() ?? null,
      },
      deps.policy,
    );
    result.accepted.push({ address, endpointId: id });
    opts.onProgress?.(++done, created.length);
  });
  if (opts.resume) result.resumed = await resume(deps, [...new Set(result.duplicates)], entry, opts.resume, opts.concurrency ?? 64);
  return result;
}

/** Known addresses an earlier run of `accepts` brought in and left at their entry: each gets its workflow, if it has none. */
async function resume(
  deps: IngestDeps,
  addresses: string[],
  entry: Entry,
  accepts: (operation: string) => boolean,
  concurrency: number,
): Promise<NonNullable<IngestResult['resumed']>> {
  const resumed: NonNullable<IngestResult['resumed']> = [];
  // the country rules, read once when a first row needs its workflow started
  let rules: Promise<CountryRule[]> | undefined;
  for (let i = 0; i < addresses.length; i += CHUNK) {
    const ours = (await entriesAt(deps.db, addresses.slice(i, i + CHUNK))).filter(
      (r) => r.entryOperation !== null && accepts(r.entryOperation) && r.state === entry.state && r.accountId === (entry.accountId ?? null),
    );
    await forEachLimit(ours, concurrency, async (row) => {
      const running = await deps.temporal.endpoint(row.address).isRunning();
      if (!running) await startWorkflowForRow(deps.temporal, row, deps.policy, await (rules ??= listRules(deps.db)));
      resumed.push({ address: row.address, endpointId: row.id, started: !running });
    });
  }
  return resumed;
}

function entryOf(opts: IngestOptions, policy: LifecyclePolicy): Entry {
  const portIn = opts.entry === 'port-in';
  return {
    state: portIn ? 'PORTING_IN' : 'QUARANTINE',
    cause: portIn ? `port-in requested for account ${opts.accountId}` : 'delivered: quarantine before first use',
    actor: opts.actor,
    operation: opts.operation ?? (opts.orderId ? `ingest:${opts.orderId}` : portIn ? `port-in:${opts.accountId}` : `import:${randomUUID()}`),
    accountId: opts.accountId ?? null,
    providerId: opts.providerId ?? null,
    orderId: opts.orderId ?? null,
    quarantineUntil: portIn ? null : new Date(Date.now() + policy.quarantineNewMs),
  };
}

/** What a number can carry when its carrier does not say: voice and SMS. */
function defaultCapable(item: IngestItem): Capabilities {
  if (item.capable) return { ...NO_CAPABILITIES, ...item.capable };
  return { voice: true, sms: true, mms: false, fax: false };
}

export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}
