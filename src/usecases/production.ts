// What EI_MODE=production checks beyond the settings (src/config.ts's
// productionIssues): state in the database a real deployment must not keep.
import type { Db } from '../db/client';
import { listProviders } from '../db/providers';

/** The webhook secrets the demo, the simulator's default and the fault suite use: public, in this repository. */
export const DEMO_WEBHOOK_SECRETS: readonly string[] = ['sim-west-secret', 'sim-east-secret', 'sim-a-secret', 'sim-b-secret'];
/** a carrier's webhook secret shorter than this is refused in production mode */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** Each active carrier whose webhook secret is a demo default or too short, as a message naming it. */
export async function productionStateIssues(db: Db): Promise<string[]> {
  const issues: string[] = [];
  for (const p of await listProviders(db)) {
    if (!p.active || !p.webhookSecret) continue;
    if (DEMO_WEBHOOK_SECRETS.includes(p.webhookSecret)) {
      issues.push(`provider ${p.id}: webhookSecret is the demo's default ("${p.webhookSecret}"); change it (PATCH /v1/providers/${p.id})`);
    } else if (p.webhookSecret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      issues.push(`provider ${p.id}: webhookSecret is shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters; change it (PATCH /v1/providers/${p.id})`);
    }
  }
  return issues;
}

/** Throws, naming each issue, when the database holds what production mode refuses. */
export async function refuseDemoState(db: Db): Promise<void> {
  const issues = await productionStateIssues(db);
  if (issues.length) throw new Error(`EI_MODE=production refuses to start:\n  ${issues.join('\n  ')}`);
}
