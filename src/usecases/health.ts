// Readiness: each dependency asked on its own, within the timeout, and
// reported one by one (a reason when it is down).
import type { Db } from '../db/client';
import { ping } from '../db/health';
import { withTimeout, type TemporalGateway } from '../temporal/gateway';

export interface HealthDeps {
  db: Db;
  temporal: TemporalGateway;
  readyTimeoutMs: number;
}

export interface Check {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { postgres: Check; temporal: Check };
}

async function probe(fn: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = Date.now();
  try {
    await withTimeout(fn(), timeoutMs, 'check');
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (err) {
    return { status: 'down', latencyMs: Date.now() - started, error: firstLine(err) };
  }
}

function firstLine(err: unknown): string {
  const e = err as { message?: string; code?: string; name?: string };
  const line = (e.message ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  return line ?? e.code ?? e.name ?? 'unreachable';
}

export async function readiness(deps: HealthDeps): Promise<Readiness> {
  const [postgres, temporal] = await Promise.all([
    probe(() => ping(deps.db), deps.readyTimeoutMs),
    probe(() => deps.temporal.check(deps.readyTimeoutMs), deps.readyTimeoutMs),
  ]);
  return { ready: postgres.status === 'up' && temporal.status === 'up', checks: { postgres, temporal } };
}
