// Ids fixed by what they stand for: the same batch and provider always give
// the same order id, so a retried activity finds what it already made.
import { createHash } from 'node:crypto';

export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
