// The one writer of `capability_probes`: each capability test the harness
// asked a carrier network for (written before the carrier is asked, so an
// arrival always finds its test), and its first arrival at the inbound entry.
import type { Db } from './client';

export interface ProbeRow {
  nonce: string;
  endpointId: string;
  address: string;
  test: string;
  medium: string;
  direction: string;
  providerId: string | null;
  requestedAt: Date;
  deadlineAt: Date;
  arrivedAt: Date | null;
  arrivedNumber: string | null;
  routedTo: string | null;
  oneWayAudio: boolean | null;
}

export interface NewProbe {
  nonce: string;
  endpointId: string;
  address: string;
  test: string;
  medium: string;
  direction: string;
  providerId: string | null;
  deadlineAt: Date;
}

/** Writes the test once (a retried activity finds it written). */
export async function createProbe(db: Db, probe: NewProbe): Promise<void> {
  await db.capabilityProbe.createMany({ data: [probe], skipDuplicates: true });
}

export async function findProbe(db: Db, nonce: string): Promise<ProbeRow | null> {
  return db.capabilityProbe.findUnique({
    where: { nonce },
    select: {
      nonce: true,
      endpointId: true,
      address: true,
      test: true,
      medium: true,
      direction: true,
      providerId: true,
      requestedAt: true,
      deadlineAt: true,
      arrivedAt: true,
      arrivedNumber: true,
      routedTo: true,
      oneWayAudio: true,
    },
  });
}

/** The first arrival of a test is kept (a carrier's re-send changes nothing); true when this call recorded it. */
export async function recordArrival(db: Db, input: { nonce: string; at: Date; number: string; routedTo: string; oneWayAudio: boolean }): Promise<boolean> {
  const { count } = await db.capabilityProbe.updateMany({
    where: { nonce: input.nonce, arrivedAt: null },
    data: { arrivedAt: input.at, arrivedNumber: input.number, routedTo: input.routedTo, oneWayAudio: input.oneWayAudio },
  });
  return count > 0;
}

/** Deletes at most `batch` probes requested before `before`; how many went. */
export async function pruneProbes(db: Db, before: Date, batch: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM capability_probes WHERE nonce IN (SELECT nonce FROM capability_probes WHERE requested_at < ${before} LIMIT ${batch})`;
}

/** An endpoint's row id and carrier, for the harness: whose test-call API to ask. */
export async function probeTarget(db: Db, address: string): Promise<{ endpointId: string; providerId: string | null } | null> {
  return db.endpoint
    .findUnique({ where: { address }, select: { id: true, providerId: true } })
    .then((r) => (r ? { endpointId: r.id, providerId: r.providerId } : null));
}
