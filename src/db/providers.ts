// The one writer of `providers`: carriers as operators add and change them,
// and the reliability measured from their finished orders. Also the one place
// a provider row becomes the ProviderInfo provider selection reads.
import type { Db } from './client';
import type { EndpointKind, Provider, ProviderKind } from './generated/client';
import { Conflict } from '../domain/errors';
import type { ProviderInfo } from '../domain/provider-selection';
import type { Reliability } from '../domain/reliability';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export type ProviderRow = Provider;

/** What operators (and seeding scripts) set on a provider; everything but id, name and kind has a default. */
export interface ProviderData {
  name: string;
  kind: ProviderKind;
  apiBaseUrl?: string | null;
  contactEmail?: string | null;
  webhookSecret?: string | null;
  countries?: string[];
  npas?: string[];
  kinds?: EndpointKind[];
  costPerNumberCents?: number;
  monthlyCostCents?: number;
  quotaNumbers?: number | null;
  quotaPeriodDays?: number;
  active?: boolean;
  /** where a new provider's score starts (default 0.8) */
  reliabilityScore?: number;
}

export async function findProvider(db: Db, id: string): Promise<ProviderRow | null> {
  return db.provider.findUnique({ where: { id } });
}

/** The provider an order names (the foreign key guarantees it). */
export async function getProvider(db: Db, id: string): Promise<ProviderRow> {
  return db.provider.findUniqueOrThrow({ where: { id } });
}

export async function listProviders(db: Db): Promise<ProviderRow[]> {
  return db.provider.findMany({ orderBy: { id: 'asc' } });
}

/** Conflict when the id is taken. */
/**
 * A new provider. With `operationId` (the request making it), a retry of the
 * same request finds the provider its first attempt created and gets it back;
 * any other request for an existing id is a Conflict.
 */
export async function createProvider(db: Db, data: ProviderData & { id: string; operationId?: string }): Promise<ProviderRow> {
  try {
    return await db.provider.create({ data });
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
    const existing = data.operationId ? await db.provider.findUnique({ where: { id: data.id } }) : null;
    if (existing && existing.operationId === data.operationId) return existing;
    throw new Conflict(`id: a provider ${data.id} exists already`);
  }
}

/** Creates or replaces it (seeding scripts: running twice leaves one provider, as given). */
export async function putProvider(db: Db, data: ProviderData & { id: string }): Promise<ProviderRow> {
  return db.provider.upsert({ where: { id: data.id }, create: data, update: data });
}

export async function updateProvider(db: Db, id: string, patch: Partial<ProviderData>): Promise<ProviderRow> {
  return db.provider.update({ where: { id }, data: patch });
}

export async function recordReliability(db: Db, id: string, r: Reliability): Promise<void> {
  await db.provider.update({ where: { id }, data: r });
}

export function providerInfo(p: ProviderRow, orderedInPeriod = 0): ProviderInfo {
  return {
    id: p.id,
    active: p.active,
    countries: p.countries,
    npas: p.npas,
    kinds: p.kinds,
    costPerNumberCents: p.costPerNumberCents,
    reliabilityScore: p.reliabilityScore,
    quotaNumbers: p.quotaNumbers,
    orderedInPeriod,
  };
}

/** Active providers as selection sees them, but those in `except`; `orderedInPeriod` per provider id (default 0). */
export async function activeProviderInfos(
  db: Db | Tx,
  opts: { except?: string[]; orderedInPeriod?: ReadonlyMap<string, number> } = {},
): Promise<ProviderInfo[]> {
  const rows = await db.provider.findMany({ where: { active: true, ...(opts.except ? { id: { notIn: opts.except } } : {}) } });
  return rows.map((p) => providerInfo(p, opts.orderedInPeriod?.get(p.id) ?? 0));
}
