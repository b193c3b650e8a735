// `ops orders`, `ops order <id>` and `ops deliver <id> …`: provider orders as
// GET /v1/orders shows them, and an operator's entry of the numbers a carrier
// without an API delivered (the order workflow's delivery signal, as POST
// /v1/orders/{id}/deliveries). The workflow verifies each number; --wait
// shows what it decided.
import { readFile } from 'node:fs/promises';
import { CliContext, EXIT, problem, usageError } from '../context';
import { iso, json, table } from '../format';
import { parseCsv } from '../csv';
import { tryParseAddress } from '../../domain/numbers';
import { NotFound } from '../../domain/errors';
import { deliveryOutcomes, findOrder } from '../../db/orders';
import { orderDetail, orders as listOrders, type OrderStatus } from '../../usecases/orders';

export interface OrdersOptions {
  status?: OrderStatus;
  provider?: string;
  limit: number;
  json?: boolean;
}

export async function ordersCommand(ctx: CliContext, opts: OrdersOptions): Promise<number> {
  const orders = await listOrders({ db: await ctx.db() }, opts);
  if (opts.json) {
    ctx.out(json({ orders }));
    return EXIT.OK;
  }
  if (orders.length === 0) {
    ctx.out('no orders');
    return EXIT.OK;
  }
  const sum = (o: (typeof orders)[number], k: 'quantity' | 'accepted' | 'rejected') => o.lines.reduce((n, l) => n + l[k], 0);
  ctx.out(
    table(
      ['order', 'provider', 'direction', 'status', 'requested', 'accepted', 'rejected', 'requested at', 'note'],
      orders.map((o) => [
        o.id,
        o.providerId,
        o.direction,
        o.status,
        o.direction === 'RELEASE' ? o.lines.reduce((n, l) => n + l.endpointIds.length, 0) : sum(o, 'quantity'),
        sum(o, 'accepted'),
        sum(o, 'rejected'),
        iso(o.requestedAt),
        o.failureReason ?? '',
      ]),
    ),
  );
  if (orders.length === opts.limit) ctx.out(`(the newest ${opts.limit}; --limit shows more)`);
  return EXIT.OK;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function orderId(value: string): string {
  if (!UUID.test(value)) throw usageError(`not an order id: "${value}" (a UUID, as \`ops orders\` lists them)`);
  return value.toLowerCase();
}

async function findDetail(ctx: CliContext, id: string) {
  try {
    return await orderDetail({ db: await ctx.db() }, id);
  } catch (err) {
    if (err instanceof NotFound) throw usageError(`no order ${id}`);
    throw err;
  }
}

export async function orderCommand(ctx: CliContext, id: string, opts: { json?: boolean }): Promise<number> {
  const order = await findDetail(ctx, orderId(id));
  if (opts.json) {
    ctx.out(json(order));
    return EXIT.OK;
  }
  ctx.out(
    [
      `order      ${order.id}`,
      `provider   ${order.providerId} (${order.provider.name}, ${order.provider.kind})`,
      `direction  ${order.direction}`,
      `status     ${order.status}${order.failureReason ? ` — ${order.failureReason}` : ''}`,
      `requested  ${iso(order.requestedAt)}${order.submittedAt ? `; submitted ${iso(order.submittedAt)}` : ''}${order.completedAt ? `; completed ${iso(order.completedAt)}` : ''}`,
      ...(order.parentOrderId ? [`re-routes  ${order.parentOrderId}`] : []),
      ...(order.carrierReference ? [`carrier    ${order.carrierReference}`] : []),
      // the carrier's final refusals (4xx) of a return, release or cancellation: for an operator to follow up
      ...order.carrierRefusals.map((r) => `refused    ${r}`),
    ].join('\n'),
  );
  ctx.out('');
  ctx.out(
    table(
      ['line', 'quantity', 'delivered', 'accepted', 'rejected', 'country', 'npa', 'kind', 'tags'],
      order.lines.map((l) => [
        l.id,
        order.direction === 'RELEASE' ? l.endpointIds.length : l.quantity,
        l.delivered,
        l.accepted,
        l.rejected,
        l.country?.trim(),
        l.npa,
        l.kind,
        l.tags.join(' + '),
      ]),
    ),
  );
  if (order.deliveries.length) {
    ctx.out('');
    ctx.out(
      table(
        ['number', 'outcome', 'received', 'reason'],
        order.deliveries.map((d) => [d.address, d.outcome, iso(d.receivedAt), d.reason ?? '']),
      ),
    );
  }
  return EXIT.OK;
}

export interface DeliverOptions {
  file?: string;
  final?: boolean;
  wait?: boolean;
  timeoutMs: number;
  json?: boolean;
}

/** numbers per signal: the API's limit is 10,000 per entry; smaller signals keep history events small */
const PER_SIGNAL = 1000;

export async function deliverCommand(ctx: CliContext, id: string, numbers: string[], opts: DeliverOptions): Promise<number> {
  const wanted = [...numbers];
  if (opts.file) wanted.push(...(await numbersFromFile(opts.file)));
  if (wanted.length === 0 && !opts.final)
    throw usageError('no numbers: give them as arguments or with --file (or --final alone: the carrier will deliver nothing more)');
  const db = await ctx.db();
  const wantedId = orderId(id);
  const order = await findOrder(db, wantedId);
  if (!order) throw usageError(`no order ${wantedId}`);
  if (order.direction !== 'ACQUIRE') throw usageError(`order ${order.id} is a release order: nothing is delivered for it`);

  const workflow = (await ctx.gateway()).order(order.id);
  const chunks: string[][] = [];
  for (let i = 0; i < wanted.length; i += PER_SIGNAL) chunks.push(wanted.slice(i, i + PER_SIGNAL));
  if (chunks.length === 0) chunks.push([]);
  try {
    for (const [i, chunk] of chunks.entries()) {
      await workflow.deliver({ source: 'operator', numbers: chunk, final: !!opts.final && i === chunks.length - 1 });
    }
  } catch (err) {
    if (err instanceof NotFound) throw problem(`order ${order.id} is closed (${order.status}): it takes no more deliveries`);
    throw err;
  }
  if (!opts.wait) {
    if (!opts.json)
      ctx.out(
        `handed ${wanted.length} number${wanted.length === 1 ? '' : 's'} to order ${order.id}${opts.final ? ' (final: the carrier delivers nothing more)' : ''}; \`ops order ${order.id}\` shows what was accepted`,
      );
    else ctx.out(json({ order: order.id, handed: wanted.length, final: !!opts.final }));
    return EXIT.OK;
  }

  // the workflow records one outcome per number (canonical when it parses)
  const keys = [
    ...new Set(
      wanted.map((n) => {
        const p = tryParseAddress(n);
        return p.ok ? p.value.address : n;
      }),
    ),
  ];
  const deadline = Date.now() + opts.timeoutMs;
  let outcomes: { address: string; outcome: string; reason: string | null }[];
  for (;;) {
    outcomes = await deliveryOutcomes(db, order.id, keys);
    if (outcomes.length >= keys.length || Date.now() > deadline || ctx.aborted) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const byAddress = new Map(outcomes.map((o) => [o.address, o]));
  const pending = keys.filter((k) => !byAddress.has(k));
  const after = (await findOrder(db, order.id)) ?? order;
  if (opts.json) {
    ctx.out(json({ order: order.id, status: after.status, outcomes, pending }));
  } else {
    ctx.out(
      table(
        ['number', 'outcome', 'reason'],
        [...outcomes.map((o) => [o.address, o.outcome, o.reason ?? '']), ...pending.map((p) => [p, 'PENDING', 'no outcome yet'])],
      ),
    );
    ctx.out(
      `order ${order.id}: ${after.status}; ${outcomes.filter((o) => o.outcome === 'ACCEPTED').length} of ${keys.length} accepted${pending.length ? `, ${pending.length} not decided within ${opts.timeoutMs / 1000}s` : ''}`,
    );
  }
  return pending.length === 0 && outcomes.every((o) => o.outcome === 'ACCEPTED') ? EXIT.OK : EXIT.PROBLEM;
}

/** One number a line, or a CSV with an address column (an order form filled in, an export). */
async function numbersFromFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const { records, errors } = parseCsv(text);
  if (errors.length) throw usageError(`${file}: line ${errors[0]!.line}: ${errors[0]!.reason}`);
  const header = records[0]?.fields.map((f) => f.trim().toLowerCase());
  const col = header ? Math.max(header.indexOf('address'), header.indexOf('number')) : -1;
  const body = col >= 0 ? records.slice(1) : records;
  return body.map((r) => (r.fields[Math.max(col, 0)] ?? '').trim()).filter((n) => n !== '' && !n.startsWith('#'));
}
