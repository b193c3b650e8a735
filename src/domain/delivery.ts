// What a carrier delivered against what was ordered: each offered number is
// judged once (parses, is new to the repository, fits an open line), and the
// order form a carrier without an API gets. Pure: the caller reads what was
// already decided and which numbers the repository holds.
import { inherentTags } from './classification';
import { placeOf } from './geo';
import { AddressError, parseAddress, type ParsedAddress } from './numbers';

/** Dimensions a number carries by itself: a line's tags of these are checked on delivery. */
const INHERENT = new Set(['country', 'region', 'npa', 'nxx', 'kind', 'vanity', 'word']);

export interface OrderedLine {
  id: string;
  tags: string[];
  /** CHAR(2): may come padded */
  country: string | null;
  npa: string | null;
  kind: string | null;
  capabilities: string[];
  quantity: number;
  accepted: number;
}

export type DeliveryOutcome = 'ACCEPTED' | 'MISMATCH_RETURNED' | 'DUPLICATE' | 'INVALID' | 'RETURNED';

export interface Judged {
  address: string;
  lineId: string | null;
  outcome: DeliveryOutcome;
  reason: string | null;
}

/** A delivery as carriers and operators send it: numbers per line, or loose numbers. */
export interface Delivered {
  lines?: { lineId: string; numbers: string[] }[];
  numbers?: string[];
}

/** Why a delivered number does not fit a line, or null when it does. */
export function mismatch(p: ParsedAddress, line: Pick<OrderedLine, 'tags' | 'country' | 'npa' | 'kind'>): string | null {
  if (line.country && p.country !== line.country.trim()) return `country ${p.country ?? 'none'}, ordered ${line.country}`;
  if (line.npa && p.npa !== line.npa) return `area code ${p.npa ?? 'none'}, ordered ${line.npa}`;
  // libphonenumber cannot tell US mobile from fixed lines: FIXED_LINE_OR_MOBILE fits either
  if (line.kind && p.kind !== line.kind && !(p.kind === 'FIXED_LINE_OR_MOBILE' && ['MOBILE', 'FIXED_LINE'].includes(line.kind))) {
    return `kind ${p.kind}, ordered ${line.kind}`;
  }
  const has = new Set(inherentTags(p, placeOf(p)));
  const missing = line.tags.filter((t) => INHERENT.has(t.split(':')[0]!) && !has.has(t));
  return missing.length ? `lacks ${missing.join(', ')}` : null;
}

/** Every offered number with the line it was sent for (null: unknown line, or sent loose). */
export function offeredNumbers(delivery: Delivered, lineIds: ReadonlySet<string>): { address: string; lineId: string | null }[] {
  return [
    ...(delivery.lines ?? []).flatMap((l) => l.numbers.map((address) => ({ address, lineId: lineIds.has(l.lineId) ? l.lineId : null }))),
    ...(delivery.numbers ?? []).map((address) => ({ address, lineId: null })),
  ];
}

/** The canonical spellings of the offered numbers that parse (to look them up in the repository). */
export function canonicalAddresses(offered: { address: string }[]): string[] {
  return offered.flatMap((o) => {
    try {
      return [parseAddress(o.address).address];
    } catch {
      return [];
    }
  });
}

export interface DeliveryContext {
  order: { id: string; status: string; completedAt: Date | null };
  lines: OrderedLine[];
  /** numbers already decided for this order: skipped, so a repeat changes nothing */
  decided: ReadonlySet<string>;
  /** numbers the repository holds → the order that brought each (null: none) */
  known: ReadonlyMap<string, string | null>;
  /** the order has stopped taking numbers: each new one is RETURNED with the reason */
  late?: boolean;
}

/** One outcome per new offered number; accepted ones fill the line they were sent for, or the first open line they fit. */
export function judgeDelivery(offered: { address: string; lineId: string | null }[], ctx: DeliveryContext): Judged[] {
  const { order } = ctx;
  const lines = new Map(ctx.lines.map((l) => [l.id, l]));
  const taken = new Map(ctx.lines.map((l) => [l.id, l.accepted]));
  const open = (l: OrderedLine) => (taken.get(l.id) ?? 0) < l.quantity;
  const outcomes: Judged[] = [];
  for (const o of offered) {
    let p: ParsedAddress;
    try {
      p = parseAddress(o.address);
    } catch (err) {
      if (!(err instanceof AddressError)) throw err;
      if (!ctx.decided.has(o.address)) outcomes.push({ ...o, outcome: 'INVALID', reason: err.reason });
      continue;
    }
    if (ctx.decided.has(p.address) || outcomes.some((x) => x.address === p.address)) continue;
    if (ctx.known.has(p.address) && ctx.known.get(p.address) !== order.id) {
      outcomes.push({ address: p.address, lineId: o.lineId, outcome: 'DUPLICATE', reason: 'already in the repository' });
      continue;
    }
    if (ctx.late && !ctx.known.has(p.address)) {
      const closed = order.completedAt ? ` (${order.status} at ${order.completedAt.toISOString()})` : ` (${order.status})`;
      outcomes.push({ address: p.address, lineId: null, outcome: 'RETURNED', reason: `delivered after the order stopped taking numbers${closed}` });
      continue;
    }
    const candidates = o.lineId ? [lines.get(o.lineId)!] : ctx.lines.filter(open);
    const fits = candidates.find((l) => !mismatch(p, l) && open(l));
    if (!fits) {
      const why = candidates[0] ? (mismatch(p, candidates[0]) ?? 'more than the line asked for') : 'no open line';
      outcomes.push({ address: p.address, lineId: o.lineId, outcome: 'MISMATCH_RETURNED', reason: why });
      continue;
    }
    taken.set(fits.id, (taken.get(fits.id) ?? 0) + 1);
    outcomes.push({ address: p.address, lineId: fits.id, outcome: 'ACCEPTED', reason: null });
  }
  return outcomes;
}

/** The numbers a carrier gets back, each with why. */
export const returnedOf = (outcomes: Judged[]): { address: string; reason: string }[] =>
  outcomes.filter((o) => o.outcome !== 'ACCEPTED').map((o) => ({ address: o.address, reason: `${o.outcome}: ${o.reason}` }));

export interface OrderForm {
  orderId: string;
  idempotencyKey: string;
  providerName: string;
  lines: { lineId: string; quantity: number; npa: string | null; country: string | null; kind: string | null; capabilities: string[] }[];
}

/** What a carrier is asked for: the submission's body, and the form an operator sends to a carrier without an API. */
export function orderForm(order: { id: string; idempotencyKey: string; lines: OrderedLine[] }, providerName: string): OrderForm {
  return {
    orderId: order.id,
    idempotencyKey: order.idempotencyKey,
    providerName,
    lines: order.lines.map((l) => ({
      lineId: l.id,
      quantity: l.quantity,
      npa: l.npa,
      country: l.country?.trim() ?? null,
      kind: l.kind,
      capabilities: l.capabilities,
    })),
  };
}

/** A release order's numbers as its carrier gets them: released (they were spare) or returned (they were rejected), each with why. */
export interface HandBackForm {
  orderId: string;
  providerName: string;
  numbers: { address: string; action: 'release' | 'return'; reason: string }[];
}

export function handBackForm(orderId: string, providerName: string, endpoints: { address: string; from: 'AVAILABLE' | 'REJECTED' }[]): HandBackForm {
  return {
    orderId,
    providerName,
    numbers: endpoints.map((e) =>
      e.from === 'REJECTED'
        ? { address: e.address, action: 'return', reason: 'rejected: did not pass quarantine or capability tests' }
        : { address: e.address, action: 'release', reason: 'no longer needed' },
    ),
  };
}

/** What the carrier said of each delivered number's place, by canonical address (numbers that do not parse are left out). */
export function placesByAddress(
  places: { number: string; rateCenter?: string; lata?: string }[] | undefined,
): Map<string, { rateCenter?: string; lata?: string }> {
  const out = new Map<string, { rateCenter?: string; lata?: string }>();
  for (const { number, rateCenter, lata } of places ?? []) {
    try {
      out.set(parseAddress(number).address, { ...(rateCenter ? { rateCenter } : {}), ...(lata ? { lata } : {}) });
    } catch {
      // a number that does not parse is judged INVALID on its own; what the carrier said of its place goes with it
    }
  }
  return out;
}
