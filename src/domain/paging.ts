// Keyset paging with an opaque token: the token carries the last key of the
// page before (and what it was a page of), so a page is one indexed range
// read however deep, and the token is refused for another list.
import { BadRequest } from './errors';

/** The token for the page after the one ending at `last`, of list `kind`. */
export function pageToken(kind: string, last: string): string {
  return Buffer.from(JSON.stringify({ k: kind, a: last })).toString('base64url');
}

/** The last key a token carries; BadRequest naming `pageToken` when it is not one of this list's. */
export function afterOf(kind: string, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; a?: unknown };
    if (v.k === kind && typeof v.a === 'string' && v.a.length > 0 && v.a.length <= 200) return v.a;
  } catch {
    // not base64url JSON: refused below
  }
  throw BadRequest.field('pageToken', 'not a page token of this list (pass nextPageToken as it came)');
}

/** The token for the page before the one starting at `first`, of list `kind` (read backwards). */
export function pageTokenBefore(kind: string, first: string): string {
  return Buffer.from(JSON.stringify({ k: kind, b: first })).toString('base64url');
}

/** Where a token of either direction starts: after a key (the next page) or before one (the previous page). */
export function cursorOf(kind: string, token: string | undefined): { after?: string; before?: string } {
  if (token === undefined) return {};
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; b?: unknown };
    if (v.k === kind && typeof v.b === 'string' && v.b.length > 0 && v.b.length <= 200) return { before: v.b };
  } catch {
    // not base64url JSON: afterOf refuses it
  }
  return { after: afterOf(kind, token) };
}

/** A page of `limit` from `rows` read with limit + 1: the rows and the next token (null on the last page). */
export function page<R>(kind: string, rows: R[], limit: number, key: (r: R) => string): { items: R[]; nextPageToken: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextPageToken: rows.length > limit ? pageToken(kind, key(items[items.length - 1]!)) : null };
}
