// The inactivity policy's rules (issue 18), pure: when an allocated number's
// idle period began, when it is due a notice, and when a notice is due its
// release. "Without use" means no use by its holder since the later of its
// last use and its allocation.

export interface InactivityPolicy {
  /** INACTIVITY_NOTIFY_AFTER: idle this long → the holder is noticed; 0: the policy is off */
  notifyAfterMs: number;
  /** INACTIVITY_RELEASE_AFTER: still unused this long after the notice → released */
  releaseAfterMs: number;
}

export const inactivityOn = (p: InactivityPolicy): boolean => p.notifyAfterMs > 0;

/** The idle period's start: the holder's last use, or the allocation when it came later (or there was none). */
export function idleSince(allocatedAt: Date, lastUsedAt: Date | null): Date {
  return lastUsedAt && lastUsedAt > allocatedAt ? lastUsedAt : allocatedAt;
}

/** An idle period that began at `since` is due its notice at `now`. */
export function noticeDue(p: InactivityPolicy, since: Date, now: number): boolean {
  return inactivityOn(p) && now - since.getTime() >= p.notifyAfterMs;
}

/** The latest idle-period start that is due a notice at `now` (the repository's filter). */
export function noticeCutoff(p: InactivityPolicy, now: number): Date {
  return new Date(now - p.notifyAfterMs);
}

export function releaseAt(p: InactivityPolicy, notifiedAt: number): Date {
  return new Date(notifiedAt + p.releaseAfterMs);
}

export interface OpenNotice {
  idleSince: Date;
  releaseAt: Date;
  /** null: the webhook has not taken it */
  sentAt: Date | null;
}

export type NoticeVerdict = 'wait' | 'used' | 'release';

/**
 * What an open notice comes to at `now`: a use after its idle period began
 * cancels it (`used`); past its release time, delivered (or with no webhook to
 * deliver it to), it is released; otherwise it waits. A notice the platform has
 * not received is never acted on: the holder was not told.
 */
export function noticeVerdict(n: OpenNotice, lastUsedAt: Date | null, now: number, webhook: boolean): NoticeVerdict {
  if (lastUsedAt && lastUsedAt > n.idleSince) return 'used';
  if (now < n.releaseAt.getTime()) return 'wait';
  if (webhook && !n.sentAt) return 'wait';
  return 'release';
}

/** The webhook's body: `endpoint.inactive` (docs/api.md). `noticeId` is the same on every retry: the platform dedupes by it. */
export interface InactiveEvent {
  type: 'endpoint.inactive';
  noticeId: string;
  accountId: string;
  address: string;
  endpointId: string;
  idleSince: string;
  notifiedAt: string;
  /** when the number is released unless it is used before */
  releaseAt: string;
}

export function inactiveEvent(n: {
  id: string;
  accountId: string;
  address: string;
  endpointId: string;
  idleSince: Date;
  notifiedAt: Date;
  releaseAt: Date;
}): InactiveEvent {
  return {
    type: 'endpoint.inactive',
    noticeId: n.id,
    accountId: n.accountId,
    address: n.address,
    endpointId: n.endpointId,
    idleSince: n.idleSince.toISOString(),
    notifiedAt: n.notifiedAt.toISOString(),
    releaseAt: n.releaseAt.toISOString(),
  };
}
