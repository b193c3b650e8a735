// The API's one vocabulary for what it answers: kinds and capability names in
// lower snake case (`fixed_line_or_mobile`, `sms`), capabilities as
// `{voice, sms, mms, fax}` booleans, every timestamp an ISO 8601 UTC string.
// Use cases speak the domain's words (EndpointKind `FIXED_LINE`, epoch ms in
// workflow state); the routes turn them into these, and the schemas here are
// what the OpenAPI document says each answer is.
import { z } from '../openapi';
import type { EndpointKind } from '../../domain/numbers';
import { KINDS } from '../../domain/classification';
import type { Capabilities } from '../../domain/endpoint';
import type { EndpointStatus } from '../../usecases/allocate';
import type { EndpointInsight } from '../../usecases/insight';
import type { FoundEndpoint } from '../../usecases/search';
import type { OrderWithLines, OrderDetail } from '../../usecases/orders';
import type { InventoryReport } from '../../../workflows/shared';

export const KIND_NAMES = KINDS;
export type KindName = (typeof KIND_NAMES)[number];
export const CAPABILITY_NAMES = ['voice', 'sms', 'mms', 'fax'] as const;

export const kindName = (k: EndpointKind): KindName => k.toLowerCase() as KindName;
export const kindOf = (k: KindName): EndpointKind => k.toUpperCase() as EndpointKind;
/** epoch ms (workflow state) → ISO 8601 UTC */
export const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const isoDate = (d: Date | null): string | null => d?.toISOString() ?? null;

export const Kind = z.enum(KIND_NAMES).openapi('EndpointKind', { description: 'what an endpoint is, in lower snake case' });
export const Timestamp = z.iso.datetime().openapi({ description: 'ISO 8601, UTC (`2026-12-01T10:00:00.000Z`)' });
export const CapabilitiesView = z
  .object({ voice: z.boolean(), sms: z.boolean(), mms: z.boolean(), fax: z.boolean() })
  .openapi('Capabilities', { description: 'each capability, true or false' });

const STATES = [
  'ORDERED',
  'QUARANTINE',
  'TESTING',
  'AVAILABLE',
  'RESERVED',
  'ALLOCATED',
  'AGING',
  'REJECTED',
  'RETURNED',
  'RELEASING',
  'PORTING_IN',
  'PORTING_OUT',
  'PORTED_OUT',
  'RETIRED',
] as const;
export const State = z.string().openapi({ description: 'the lifecycle state, upper case (`AVAILABLE`, `ALLOCATED`, … — design.md)', example: STATES[3] });

/** An endpoint workflow's status: what allocation, reservation, release and exchange answer. */
export const EndpointStatusView = z
  .object({
    address: z.string(),
    endpointId: z.string(),
    state: State,
    version: z.number().int(),
    accountId: z.string().nullable(),
    reservedUntil: Timestamp.nullable(),
    phaseEndsAt: Timestamp.nullable().openapi({ description: 'when the current timed phase (quarantine, aging, port-out) ends' }),
    extensions: z.number().int(),
    voiceEvents: z.number().int(),
    messagingEvents: z.number().int(),
    voiceCleanliness: z.number(),
    messagingCleanliness: z.number(),
    capable: CapabilitiesView,
    enabled: CapabilitiesView,
    droppedMedia: z.array(z.enum(['voice', 'messaging'])),
    qualityScore: z.number().nullable(),
    afterTesting: z.enum(['AVAILABLE', 'ALLOCATED']),
    releasing: z
      .object({ orderId: z.string(), from: z.enum(['AVAILABLE', 'REJECTED']) })
      .nullable()
      .optional(),
    nextRetestAt: Timestamp.nullable().optional().openapi({ description: 'in service: when its scheduled re-test is due (RETEST_EVERY)' }),
    retest: z
      .object({ reason: z.string(), media: z.array(z.enum(['voice', 'messaging'])).nullable(), feedback: z.number().nullable() })
      .nullable()
      .optional()
      .openapi({ description: 'TESTING as a re-test of a number in service: why, which media, the feedback that asked for it' }),
  })
  .strict()
  .openapi('EndpointStatus');

export function endpointStatusView(s: EndpointStatus): z.infer<typeof EndpointStatusView> {
  const { nextRetestAt, ...rest } = s;
  return {
    ...rest,
    reservedUntil: iso(s.reservedUntil),
    phaseEndsAt: iso(s.phaseEndsAt),
    ...(nextRetestAt === undefined ? {} : { nextRetestAt: iso(nextRetestAt) }),
  };
}

/** A reservation as a resource (src/usecases/reserve.ts): what became of it, read from the endpoint's history. */
export const ReservationView = z
  .object({
    id: z.string().openapi({ description: 'the reservation id (`rsv_…`)' }),
    accountId: z.string(),
    address: z.string(),
    status: z.enum(['active', 'expired', 'cancelled', 'converted']),
    reservedAt: Timestamp,
    expiresAt: Timestamp.openapi({ description: 'when it ends (or ended) unless extended or converted' }),
    endedAt: Timestamp.nullable().openapi({ description: 'when it expired, was cancelled or converted; null while active' }),
  })
  .strict()
  .openapi('Reservation');

/** What reserving answers: the endpoint status with the reservation's id and when it expires. */
export const ReservedEndpointView = EndpointStatusView.extend({
  id: z.string().openapi({ description: 'the reservation id, for GET /v1/reservations/{id}' }),
  expiresAt: Timestamp.nullable().openapi({ description: 'when the reservation ends unless extended or converted (the same instant as reservedUntil)' }),
})
  .strict()
  .openapi('ReservedEndpoint');

export function reservedEndpointView(s: EndpointStatus & { id: string; expiresAt: string | null }): z.infer<typeof ReservedEndpointView> {
  return { ...endpointStatusView(s), id: s.id, expiresAt: s.expiresAt };
}

/** What converting a reservation answers: the endpoint status (ALLOCATED) with the reservation, now converted. */
export const ConvertedReservationView = EndpointStatusView.extend({ reservation: ReservationView }).strict().openapi('ConvertedReservation');

export function convertedReservationView(s: EndpointStatus & { reservation: z.infer<typeof ReservationView> }): z.infer<typeof ConvertedReservationView> {
  return { ...endpointStatusView(s), reservation: s.reservation };
}

/** Where a number is (design.md, Geography): every field null, and `geo: unknown`, when the place data cannot place it. */
const placeFields = {
  geo: z.enum(['known', 'unknown']).openapi({ description: 'unknown: the place data cannot place the number (every place field null) — never a guess' }),
  region: z.string().nullable().openapi({ description: 'ISO 3166-2, lower case (`us-ca`)' }),
  locality: z.string().nullable().openapi({ description: 'the town (`San Francisco`)' }),
  timeZone: z.string().nullable().openapi({ description: 'IANA time zone (`America/Los_Angeles`)' }),
  latitude: z.number().nullable().openapi({ description: "the locality's latitude, degrees" }),
  longitude: z.number().nullable().openapi({ description: "the locality's longitude, degrees" }),
  postalCode: z.string().nullable().openapi({ description: 'set only where the town has exactly one' }),
  rateCenter: z.string().nullable().openapi({ description: 'NANP rate center, as the carrier gave it at delivery' }),
  lata: z.string().nullable().openapi({ description: 'NANP LATA, as the carrier gave it at delivery' }),
};

export const FoundEndpointView = z
  .object({
    address: z.string(),
    kind: Kind,
    country: z.string().nullable(),
    npa: z.string().nullable(),
    nxx: z.string().nullable(),
    capabilities: CapabilitiesView,
    monthlyCostCents: z.number().int(),
    domesticOnly: z.boolean().openapi({ description: "its country's rule limits it to domestic use: a limited endpoint, offered for less" }),
    addressRequired: z.boolean().openapi({
      description: "its country's rule requires an address on file in that country before it is allocated (POST /v1/accounts/{accountId}/addresses)",
    }),
    offeredPriceCents: z
      .number()
      .int()
      .openapi({ description: 'its monthly price: monthlyCostCents less the domestic-only discount where its country rule gives one' }),
    qualityScore: z.number().nullable(),
    ...placeFields,
    distanceKm: z.number().optional().openapi({ description: 'near a point or a number: great-circle km from it' }),
  })
  .strict()
  .openapi('FoundEndpoint');

export const foundView = (e: FoundEndpoint): z.infer<typeof FoundEndpointView> => ({ ...e, kind: kindName(e.kind) });

const HistoryEntry = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    version: z.number().int(),
    fromState: State.nullable(),
    toState: State,
    cause: z.string(),
    actor: z.string(),
    operation: z.string().nullable(),
    accountId: z.string().nullable(),
    details: z.unknown().openapi({ description: 'what the transition carried (free-form JSON)' }),
    at: Timestamp,
  })
  .strict();

export const InsightView = z
  .object({
    id: z.string(),
    address: z.string(),
    kind: Kind,
    country: z.string().nullable(),
    npa: z.string().nullable(),
    nxx: z.string().nullable(),
    line: z.string().nullable(),
    digits: z.string(),
    ...placeFields,
    place: z.string().nullable().openapi({ description: "the place data's own words for where the number is (`San Francisco, CA`)" }),
    capable: CapabilitiesView,
    enabled: CapabilitiesView,
    state: State,
    version: z.number().int(),
    accountId: z.string().nullable(),
    reservedUntil: Timestamp.nullable(),
    phaseEndsAt: Timestamp.nullable(),
    providerId: z.string().nullable(),
    orderId: z.string().nullable(),
    monthlyCostCents: z.number().int(),
    voiceCleanliness: z.number(),
    messagingCleanliness: z.number(),
    qualityScore: z.number().nullable(),
    classifierTags: z.array(z.string()),
    applicationUri: z.string().nullable(),
    stateChangedAt: Timestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    history: z.array(HistoryEntry),
    usage: z
      .array(
        z.object({
          accountId: z.string(),
          day: z.string().openapi({ description: 'UTC day, YYYY-MM-DD' }),
          lookups: z.number().int(),
          callsIn: z.number().int(),
          callsOut: z.number().int(),
          messagesIn: z.number().int(),
          messagesOut: z.number().int(),
          lastUsedAt: Timestamp,
        }),
      )
      .openapi({
        description:
          "its use per holder and day, newest first (90 days at most): routing lookups and the call router's traffic reports, flushed every USAGE_FLUSH_INTERVAL; a holder sees its own only",
      }),
    inactivityNotices: z
      .array(
        z.object({
          id: z.string(),
          accountId: z.string(),
          idleSince: Timestamp,
          notifiedAt: Timestamp,
          releaseAt: Timestamp,
          sentAt: Timestamp.nullable().openapi({ description: "when the platform's webhook took it; null: not yet, or no webhook configured" }),
          outcome: z.enum(['used', 'released', 'moved']).nullable().openapi({ description: 'null: open' }),
          closedAt: Timestamp.nullable(),
        }),
      )
      .openapi({
        description:
          "the inactivity policy's notices about it, newest first (100 at most): unused since idleSince, released at releaseAt unless used before (docs/api.md, the platform webhook); a holder sees its own only",
      }),
  })
  .strict()
  .openapi('EndpointInsight');

export function insightView(e: EndpointInsight): z.infer<typeof InsightView> {
  return {
    id: e.id,
    address: e.address,
    kind: kindName(e.kind),
    country: e.country,
    npa: e.npa,
    nxx: e.nxx,
    line: e.line,
    digits: e.digits,
    geo: e.geo,
    region: e.region,
    locality: e.locality,
    timeZone: e.timeZone,
    latitude: e.latitude,
    longitude: e.longitude,
    postalCode: e.postalCode,
    rateCenter: e.rateCenter,
    lata: e.lata,
    place: e.place,
    capable: { voice: e.voiceCapable, sms: e.smsCapable, mms: e.mmsCapable, fax: e.faxCapable },
    enabled: { voice: e.voiceEnabled, sms: e.smsEnabled, mms: e.mmsEnabled, fax: e.faxEnabled },
    state: e.state,
    version: e.version,
    accountId: e.accountId,
    reservedUntil: isoDate(e.reservedUntil),
    phaseEndsAt: isoDate(e.quarantineUntil),
    providerId: e.providerId,
    orderId: e.orderId,
    monthlyCostCents: e.monthlyCostCents,
    voiceCleanliness: e.voiceCleanliness,
    messagingCleanliness: e.messagingCleanliness,
    qualityScore: e.qualityScore,
    classifierTags: e.classifierTags,
    applicationUri: e.applicationUri,
    stateChangedAt: e.stateChangedAt.toISOString(),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    history: e.history.map((h) => ({ ...h, at: h.at.toISOString() })),
    usage: e.usage.map((u) => ({ ...u, lastUsedAt: u.lastUsedAt.toISOString() })),
    inactivityNotices: e.inactivityNotices.map((n) => ({
      id: n.id,
      accountId: n.accountId,
      idleSince: n.idleSince.toISOString(),
      notifiedAt: n.notifiedAt.toISOString(),
      releaseAt: n.releaseAt.toISOString(),
      sentAt: isoDate(n.sentAt),
      outcome: n.outcome as 'used' | 'released' | 'moved' | null,
      closedAt: isoDate(n.closedAt),
    })),
  };
}

const OrderLineView = z
  .object({
    id: z.string(),
    orderId: z.string(),
    groupingId: z.string().nullable(),
    tags: z.array(z.string()),
    country: z.string().nullable(),
    npa: z.string().nullable(),
    kind: Kind.nullable(),
    capabilities: z.array(z.enum(CAPABILITY_NAMES)).openapi({ description: 'the capability names the line asks for' }),
    quantity: z.number().int(),
    delivered: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    endpointIds: z.array(z.string()),
  })
  .strict();
const orderFields = {
  id: z.string(),
  providerId: z.string(),
  direction: z.enum(['ACQUIRE', 'RELEASE']),
  status: z.enum(['PENDING', 'SUBMITTED', 'AWAITING_OPERATOR', 'PARTIALLY_DELIVERED', 'DELIVERED', 'CANCELLED', 'FAILED']),
  idempotencyKey: z.string(),
  carrierReference: z.string().nullable(),
  parentOrderId: z.string().nullable(),
  failureReason: z.string().nullable(),
  carrierRefusals: z.array(z.string()),
  requestedAt: Timestamp,
  submittedAt: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
  updatedAt: Timestamp,
  lines: z.array(OrderLineView),
};
export const OrderView = z.object(orderFields).strict().openapi('Order');
export const OrderDetailView = z
  .object({
    ...orderFields,
    deliveries: z.array(
      z
        .object({
          id: z.string(),
          orderId: z.string(),
          lineId: z.string().nullable(),
          address: z.string(),
          outcome: z.enum(['ACCEPTED', 'MISMATCH_RETURNED', 'DUPLICATE', 'INVALID', 'RETURNED']),
          reason: z.string().nullable(),
          receivedAt: Timestamp,
        })
        .strict(),
    ),
  })
  .strict()
  .openapi('OrderDetail');

export function orderView(o: OrderWithLines): z.infer<typeof OrderView> {
  return {
    id: o.id,
    providerId: o.providerId,
    direction: o.direction,
    status: o.status,
    idempotencyKey: o.idempotencyKey,
    carrierReference: o.carrierReference,
    parentOrderId: o.parentOrderId,
    failureReason: o.failureReason,
    carrierRefusals: o.carrierRefusals,
    requestedAt: o.requestedAt.toISOString(),
    submittedAt: isoDate(o.submittedAt),
    completedAt: isoDate(o.completedAt),
    updatedAt: o.updatedAt.toISOString(),
    lines: o.lines.map((l) => ({
      ...l,
      kind: l.kind && kindName(l.kind),
      capabilities: l.capabilities as (typeof CAPABILITY_NAMES)[number][],
    })),
  };
}

export function orderDetailView(o: Omit<OrderDetail, 'provider'>): z.infer<typeof OrderDetailView> {
  return { ...orderView(o), deliveries: o.deliveries.map((d) => ({ ...d, receivedAt: d.receivedAt.toISOString() })) };
}

const Decision = z.object({ groupingId: z.string(), name: z.string(), quantity: z.number().int(), reason: z.string() }).strict();
export const InventoryReportView = z
  .object({
    evaluatedAt: Timestamp,
    trigger: z.string(),
    groupings: z.number().int(),
    belowMin: z.number().int(),
    aboveMax: z.number().int(),
    acquire: z.array(Decision),
    release: z.array(Decision),
    batchDeadline: Timestamp.nullable().openapi({ description: 'when the pending requests become orders, if any are pending' }),
  })
  .strict()
  .openapi('InventoryCheck');

export const inventoryReportView = (r: InventoryReport): z.infer<typeof InventoryReportView> => ({
  ...r,
  evaluatedAt: new Date(r.evaluatedAt).toISOString(),
  batchDeadline: iso(r.batchDeadline),
});

export const GroupingMetricsView = z
  .object({
    groupingId: z.string(),
    name: z.string(),
    tags: z.array(z.string()),
    autoAdjust: z.boolean(),
    preferredProviderIds: z.array(z.string()),
    minAvailable: z.number().int(),
    targetAvailable: z.number().int(),
    maxAvailable: z.number().int(),
    available: z.number().int(),
    allocated: z.number().int(),
    reserved: z.number().int(),
    inQuarantine: z.number().int(),
    onOrder: z.number().int(),
    onRelease: z.number().int(),
    allocationRate: z.number().openapi({ description: 'allocations per hour over the window' }),
    unmetSearches: z.number(),
    trend: z.number().openapi({ description: 'change of available per hour over the window' }),
    depletionSeconds: z.number().nullable(),
  })
  .strict()
  .openapi('GroupingMetrics');

/** What a POST that hands something on answers. */
export const Accepted = z
  .object({ status: z.literal('accepted') })
  .strict()
  .openapi('Accepted');

export type { Capabilities };
