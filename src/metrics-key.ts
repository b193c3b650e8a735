// GET /metrics behind METRICS_KEY, the same check for the API and the worker:
// `Authorization: Bearer <METRICS_KEY>`, compared as SHA-256 digests (equal
// lengths, constant time).
import { createHash, timingSafeEqual } from 'node:crypto';

/** A checker of the Authorization header; without a key, everything passes. */
export function metricsKeyCheck(key: string | undefined): (authorization: string | undefined) => boolean {
  if (!key) return () => true;
  const want = createHash('sha256').update(key).digest();
  return (authorization) => {
    const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
    return timingSafeEqual(createHash('sha256').update(given).digest(), want);
  };
}
