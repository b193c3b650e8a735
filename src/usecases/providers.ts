// Operators' carriers: create, list, change. A carrier's webhook secret is
// written, never read back: on create it is generated when not given (API
// carriers) and shown once in that answer; afterwards only `hasWebhookSecret`.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client';
import { createProvider, findProvider, listProviders, updateProvider, type ProviderData, type ProviderRow } from '../db/providers';
import { BadRequest, NotFound } from '../domain/errors';

export interface ProviderDeps {
  db: Db;
}

/** A provider as operators see it: everything but the secret and the bookkeeping times. */
export type ProviderView = Omit<ProviderRow, 'webhookSecret' | 'createdAt' | 'updatedAt' | 'operationId'> & { hasWebhookSecret: boolean };

function view(p: ProviderRow): ProviderView {
  const { webhookSecret, createdAt: _c, updatedAt: _u, operationId: _o, ...rest } = p;
  return { ...rest, hasWebhookSecret: webhookSecret !== null };
}

const upper = (countries: string[] | undefined) => countries?.map((c) => c.toUpperCase());

export async function providers(deps: ProviderDeps): Promise<ProviderView[]> {
  return (await listProviders(deps.db)).map(view);
}

/**
 * The new provider with its webhook secret (the only time it is shown).
 * `operation` names the request: its retry (the first answer lost) gets the
 * same answer, secret included, instead of "exists already".
 */
export async function addProvider(
  deps: ProviderDeps,
  input: ProviderData & { id: string },
  operation?: string,
): Promise<ProviderView & { webhookSecret: string | null }> {
  const webhookSecret = input.webhookSecret ?? (input.kind === 'API' ? randomBytes(24).toString('base64url') : null);
  const created = await createProvider(deps.db, { ...input, countries: upper(input.countries), webhookSecret, operationId: operation });
  return { ...view(created), webhookSecret: created.webhookSecret };
}

export async function changeProvider(deps: ProviderDeps, id: string, patch: Partial<ProviderData>): Promise<ProviderView> {
  const current = await findProvider(deps.db, id);
  if (!current) throw new NotFound(`no provider ${id}`);
  const kind = patch.kind ?? current.kind;
  const apiBaseUrl = patch.apiBaseUrl === undefined ? current.apiBaseUrl : patch.apiBaseUrl;
  if (kind === 'API' && !apiBaseUrl) throw BadRequest.field('apiBaseUrl', 'required for a carrier with an API');
  return view(await updateProvider(deps.db, id, { ...patch, countries: upper(patch.countries) }));
}
