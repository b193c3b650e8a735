// A provider's reliability from its finished acquire orders: how much of what
// was asked it delivered, how much of that fitted, how many orders failed,
// and how long a delivered order took.

export interface OrderRecord {
  /** finished acquire orders */
  orders: number;
  requested: number;
  accepted: number;
  rejected: number;
  failed: number;
  /** mean seconds from submission to completion of the delivered ones; null when none */
  lead: number | null;
}

export interface Reliability {
  fillRate: number;
  mismatchRate: number;
  failureRate: number;
  meanLeadTimeSeconds: number | null;
  /** 0..1 */
  reliabilityScore: number;
}

/** The measures and the score; null when no order has finished (the score stays as it was). */
export function reliability(r: OrderRecord): Reliability | null {
  if (r.orders === 0) return null;
  const fillRate = r.requested ? r.accepted / r.requested : 1;
  const delivered = r.accepted + r.rejected;
  const mismatchRate = delivered ? r.rejected / delivered : 0;
  const failureRate = r.failed / r.orders;
  // filling orders matters most, then delivering what was asked for, then not failing
  const reliabilityScore = Math.max(0, Math.min(1, 0.5 * fillRate + 0.3 * (1 - mismatchRate) + 0.2 * (1 - failureRate)));
  return { fillRate, mismatchRate, failureRate, meanLeadTimeSeconds: r.lead, reliabilityScore };
}
