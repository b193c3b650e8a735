// Fault injection for the fault suite (scripts/faults.ts): named points in the
// API and the worker where the process SIGKILLs itself, at a rate, so the
// suite can kill it exactly where a crash is hardest to survive. Set with
// FAULT_INJECTION (e.g. "api-after-update:0.02,worker-after-transition:0.01"),
// which src/config.ts accepts only with NODE_ENV=test. Each process arms it
// once at start (src/main.ts, workers/main.ts); unarmed, every point is a no-op.

export const FAULT_POINTS = [
  /** the API: a POST's answer is computed (its workflow update done) but not yet stored for its Idempotency-Key */
  'api-after-update',
  /** the worker: an endpoint transition has committed (row and history) but its activity has not answered */
  'worker-after-transition',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];
export type FaultRates = Partial<Record<FaultPoint, number>>;

/** "api-after-update:0.02,worker-after-transition:0.01" → rates; throws naming the bad part */
export function parseFaultInjection(text: string): FaultRates {
  const rates: FaultRates = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split(':');
    if (!name || !FAULT_POINTS.includes(name as FaultPoint)) throw new Error(`unknown fault point "${name}" (one of ${FAULT_POINTS.join(', ')})`);
    const rate = Number(value);
    if (value === undefined || !(rate >= 0 && rate <= 1)) throw new Error(`rate of ${name} must be between 0 and 1, got "${value}"`);
    rates[name as FaultPoint] = rate;
  }
  return rates;
}

let armed: FaultRates = {};

/** Called once by a process's entry point with its configuration's FAULT_INJECTION. */
export function armFaults(rates: FaultRates): void {
  armed = { ...rates };
}

/** At a named point: SIGKILLs this process at the armed rate (no shutdown hook, nothing flushed). */
export function faultPoint(point: FaultPoint): void {
  const rate = armed[point];
  if (!rate || Math.random() >= rate) return;
  process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), pid: process.pid, msg: 'fault injection: SIGKILL', point })}\n`);
  process.kill(process.pid, 'SIGKILL');
}
