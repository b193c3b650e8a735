// Brings numbers into the repository: parses and checks each address, inserts
// the new ones in bulk (already in quarantine, or porting in for an account)
// with their first history row, and starts one lifecycle workflow each.
// Safe to repeat: a known address is reported, not inserted again, and a
// workflow start for an id that runs already is a no-op.
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { parseAddress, AddressError, type ParsedAddress } from '../domain/numbers';
import { endpointSearchAttributes, initialSnapshot, NO_CAPABILITIES } from '../temporal/endpoints';
import { inherentTags, measuredTags } from '../domain/classification';
import { endpointWorkflowId, type Capabilities, type LifecyclePolicy } from '../../workflows/shared';

export interface IngestItem {
  address: string;
  capable?: Partial<Capabilities>;
  monthlyCostCents?: number;
}

export interface IngestOptions {
  /** quarantine: a delivered number; port-in: a customer's number joining for that account */
  entry: 'quarantine' | 'port-in';
  accountId?: string;
  providerId?: string;
  orderId?: string;
  defaultCountry?: string;
  actor: string;
  /** workflow starts in flight at once */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface IngestResult {
  accepted: { address: string; endpointId: string }[];
  rejected: { input: string; reason: string }[];
  duplicates: string[];
}

export interface IngestDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  policy: LifecyclePolicy;
}

const CHUNK = 1000;
// nothing measured yet: the capabilities it should have (so groupings count it
// as on its way), quality unknown, clean
const initialMeasured = (item: IngestItem) =>
  measuredTags({ enabled: defaultCapable(item), qualityScore: null, voiceCleanliness: 1, messagingCleanliness: 1 });

export async function ingestEndpoints(deps: IngestDeps, items: IngestItem[], opts: IngestOptions): Promise<IngestResult> {
  if (opts.entry === 'port-in' && !opts.accountId) throw new Error('port-in needs an accountId');
  const result: IngestResult = { accepted: [], rejected: [], duplicates: [] };
  const parsed = new Map<string, { p: ParsedAddress; item: IngestItem }>();
  for (const item of items) {
    try {
      const p = parseAddress(item.address, { defaultCountry: opts.defaultCountry });
      if (parsed.has(p.address)) result.duplicates.push(p.address);
      else parsed.set(p.address, { p, item });
    } catch (err) {
      if (!(err instanceof AddressError)) throw err;
      result.rejected.push({ input: item.address, reason: err.reason });
    }
  }

  const now = Date.now();
  const state = opts.entry === 'port-in' ? 'PORTING_IN' : 'QUARANTINE';
  const version = 1;
  const quarantineUntil = state === 'QUARANTINE' ? new Date(now + deps.policy.quarantineNewMs) : null;
  const cause = state === 'QUARANTINE' ? 'delivered: quarantine before first use' : `port-in requested for account ${opts.accountId}`;
  const rows = [...parsed.values()];
  const created: { id: string; address: string }[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const cap = (k: keyof Capabilities) => chunk.map(({ item }) => item.capable?.[k] ?? defaultCapable(item)[k]);
    // one statement per chunk: rows and their first history entries together
    const inserted = await deps.db.$queryRaw<{ id: string; address: string }[]>`
      WITH input AS (
        SELECT * FROM unnest(
          ${chunk.map(({ p }) => p.address)}::text[], ${chunk.map(({ p }) => p.kind)}::text[],
          ${chunk.map(({ p }) => p.country)}::text[], ${chunk.map(({ p }) => p.npa)}::text[],
          ${chunk.map(({ p }) => p.nxx)}::text[], ${chunk.map(({ p }) => p.line)}::text[],
          ${chunk.map(({ p }) => p.digits)}::text[], ${chunk.map(({ p, item }) => [...inherentTags(p), ...initialMeasured(item)].sort().join('\u0001'))}::text[],
          ${cap('voice')}::boolean[], ${cap('sms')}::boolean[], ${cap('mms')}::boolean[], ${cap('fax')}::boolean[],
          ${chunk.map(({ item }) => item.monthlyCostCents ?? 0)}::int[]
        ) AS t(address, kind, country, npa, nxx, line, digits, tags, voice, sms, mms, fax, cost)
      ), ins AS (
        INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, classifier_tags,
                               voice_capable, sms_capable, mms_capable, fax_capable, monthly_cost_cents,
                               state, version, account_id, provider_id, order_id, quarantine_until)
        SELECT address, kind::"EndpointKind", country, npa, nxx, line, digits, string_to_array(tags, E'\\x01'),
               voice, sms, mms, fax, cost,
               ${state}::"EndpointState", ${version}, ${opts.accountId ?? null}, ${opts.providerId ?? null},
               ${opts.orderId ?? null}::uuid, ${quarantineUntil}
          FROM input
        ON CONFLICT (address) DO NOTHING
        RETURNING id, address
      ), hist AS (
        INSERT INTO endpoint_history (endpoint_id, version, from_state, to_state, cause, actor)
        SELECT id, ${version}, ${state === 'QUARANTINE' ? 'ORDERED' : null}::"EndpointState", ${state}::"EndpointState", ${cause}, ${opts.actor}
          FROM ins
      )
      SELECT id::text, address FROM ins`;
    created.push(...inserted);
  }
  const createdSet = new Set(created.map((r) => r.address));
  for (const { p } of rows) if (!createdSet.has(p.address)) result.duplicates.push(p.address);

  let done = 0;
  await forEachLimit(created, opts.concurrency ?? 64, async ({ id, address }) => {
    const { p, item } = parsed.get(address)!;
    const capable = { ...defaultCapable(item), ...item.capable };
    const snapshot = initialSnapshot(state, version, capable, {
      accountId: opts.accountId ?? null,
      phaseEndsAt: quarantineUntil?.getTime() ?? null,
    });
    await deps.client.workflow.start('endpointWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: endpointWorkflowId(address),
      args: [{ address, endpointId: id, policy: deps.policy, snapshot }],
      typedSearchAttributes: endpointSearchAttributes(p, state),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    result.accepted.push({ address, endpointId: id });
    opts.onProgress?.(++done, created.length);
  });
  return result;
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
