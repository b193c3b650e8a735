// An account's numbers, for the platform (and the Twilio-compatible face
// after it): list (keyset-paged, filtered), fetch, update the holder's own
// settings, release. Another account's number does not exist here (404).
import type { Db } from '../db/client';
import { findNumber, findNumberById, listNumbers as listRows, type NumberRow } from '../db/numbers';
import { saveSettings, type SettingsPatch } from '../db/number-settings';
import { setApplicationUri } from '../db/endpoints';
import { ownAccount, type Caller } from '../domain/access';
import { addressField } from '../domain/address';
import { Conflict, NotFound } from '../domain/errors';
import { cursorOf, page, pageToken, pageTokenBefore } from '../domain/paging';
import type { EndpointStatus, HoldingDeps } from './allocate';
import { release } from './release';

export type { SettingsPatch };

export interface NumberView {
  /** the endpoint's id (the Twilio face derives its PN sid from it) */
  endpointId: string;
  address: string;
  accountId: string;
  state: string;
  kind: string;
  country: string | null;
  npa: string | null;
  /** what it offers now (tests passed) */
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean };
  friendlyName: string | null;
  /** where the call router sends its traffic */
  applicationUri: string | null;
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceFallbackUrl: string | null;
  voiceFallbackMethod: string | null;
  smsUrl: string | null;
  smsMethod: string | null;
  smsFallbackUrl: string | null;
  smsFallbackMethod: string | null;
  statusCallback: string | null;
  statusCallbackMethod: string | null;
  reservedUntil: string | null;
  monthlyCostCents: number;
  stateChangedAt: string;
  createdAt: string;
  updatedAt: string;
}

export const numberView = (r: NumberRow): NumberView => ({
  endpointId: r.endpointId,
  address: r.address,
  accountId: r.accountId,
  state: r.state,
  kind: r.kind,
  country: r.country?.trim() ?? null,
  npa: r.npa,
  capabilities: { voice: r.voice, sms: r.sms, mms: r.mms, fax: r.fax },
  friendlyName: r.friendlyName,
  applicationUri: r.applicationUri,
  voiceUrl: r.voiceUrl,
  voiceMethod: r.voiceMethod,
  voiceFallbackUrl: r.voiceFallbackUrl,
  voiceFallbackMethod: r.voiceFallbackMethod,
  smsUrl: r.smsUrl,
  smsMethod: r.smsMethod,
  smsFallbackUrl: r.smsFallbackUrl,
  smsFallbackMethod: r.smsFallbackMethod,
  statusCallback: r.statusCallback,
  statusCallbackMethod: r.statusCallbackMethod,
  reservedUntil: r.reservedUntil?.toISOString() ?? null,
  monthlyCostCents: r.monthlyCostCents,
  stateChangedAt: r.stateChangedAt.toISOString(),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export interface NumberQuery {
  /** digits the number contains; `*` any one digit */
  number?: string;
  friendlyName?: string;
  capability?: 'voice' | 'sms' | 'mms' | 'fax';
  state?: string;
  /** any of these kinds (EndpointKind) */
  kinds?: string[];
  pageSize: number;
  /** a nextPageToken or a previousPageToken of this list */
  pageToken?: string;
}

export interface NumberPage {
  numbers: NumberView[];
  /** null on the last page */
  nextPageToken: string | null;
  /** null on the first page */
  previousPageToken: string | null;
}

/** The account's numbers in address order, a page at a time, forwards or back (each token null at its end). */
export async function listNumbers(db: Db, who: Caller, accountId: string, q: NumberQuery): Promise<NumberPage> {
  ownAccount(who, accountId);
  const kind = `numbers:${accountId}`;
  const cursor = cursorOf(kind, q.pageToken);
  const rows = await listRows(db, {
    accountId,
    number: q.number?.replace(/\*/g, '_'),
    friendlyName: q.friendlyName,
    capability: q.capability,
    state: q.state,
    kinds: q.kinds,
    ...cursor,
    limit: q.pageSize + 1,
  });
  if (cursor.before) {
    // read backwards: the page we came from is after this one
    const items = rows.slice(0, q.pageSize).reverse();
    return {
      numbers: items.map(numberView),
      nextPageToken: items.length ? pageToken(kind, items.at(-1)!.address) : null,
      previousPageToken: rows.length > q.pageSize ? pageTokenBefore(kind, items[0]!.address) : null,
    };
  }
  const { items, nextPageToken } = page(kind, rows, q.pageSize, (r) => r.address);
  const previousPageToken = cursor.after && items.length ? pageTokenBefore(kind, items[0]!.address) : null;
  return { numbers: items.map(numberView), nextPageToken, previousPageToken };
}

const notHeld = (address: string, accountId: string) => new NotFound(`address: no number ${address} held by account ${accountId}`);

export async function fetchNumber(db: Db, who: Caller, accountId: string, address: string): Promise<NumberView> {
  ownAccount(who, accountId);
  const a = addressField(address);
  const row = await findNumber(db, accountId, a);
  if (!row) throw notHeld(a, accountId);
  return numberView(row);
}

export interface NumberUpdate extends SettingsPatch {
  /** where its traffic goes: http(s) or sip; null clears it. Only once it is allocated. */
  applicationUri?: string | null;
}

/**
 * Changes the holder's settings of one of its numbers. The application URI
 * is the routing lookup's (on the endpoint row, beside its state: only its
 * holder, only while allocated); the rest are the account's own settings.
 */
export async function updateNumber(db: Db, who: Caller, accountId: string, address: string, update: NumberUpdate): Promise<NumberView> {
  ownAccount(who, accountId);
  const a = addressField(address);
  const row = await findNumber(db, accountId, a);
  if (!row) throw notHeld(a, accountId);
  const { applicationUri, ...settings } = update;
  if (applicationUri !== undefined && !(await setApplicationUri(db, { address: a, accountId, applicationUri }))) {
    throw new Conflict(`applicationUri: number ${a} is ${row.state}; an application URI is set once it is allocated`);
  }
  if (Object.keys(settings).length && !(await saveSettings(db, { address: a, accountId, patch: settings }))) throw notHeld(a, accountId);
  return fetchNumber(db, who, accountId, a);
}

/** One of the account's numbers by its endpoint id (the Twilio face's PN sid); NotFound when it does not hold it. */
export async function fetchNumberById(db: Db, who: Caller, accountId: string, endpointId: string): Promise<NumberView> {
  ownAccount(who, accountId);
  const row = await findNumberById(db, accountId, endpointId);
  if (!row) throw new NotFound(`sid: no number with this sid held by account ${accountId}`);
  return numberView(row);
}

/** DELETE: the account lets the number go (the release update: allocated, it ages; reserved, it is available again). */
export async function releaseNumber(
  deps: Pick<HoldingDeps, 'db' | 'temporal' | 'notify'>,
  who: Caller,
  accountId: string,
  address: string,
  operation: string,
): Promise<EndpointStatus> {
  return release(deps, who, { accountId, address }, operation);
}
