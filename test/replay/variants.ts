// Deliberate changes to today's workflow code, for determinism.test.ts. Each
// workflow type gets one ordinary-looking edit that adds a command (an
// activity call or a timer) where its recorded runs have none. The sources
// are the real workflows/ files, copied to .ei/replay-variants/<pid>-<variant>/
// (gone once bundled), edited there and bundled as the worker bundles workflows/:
//   - 'unpatched': the edit as a careless change would make it;
//   - 'patched':   the same edit behind `patched('<id>')`, as docs/contributing.md asks.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowType } from './paths';

const ROOT = join(__dirname, '..', '..');
const WORKFLOWS = join(ROOT, 'workflows');

export type Variant = 'unpatched' | 'patched';

export interface Edit {
  workflowType: WorkflowType;
  file: string;
  /** the statement the change goes in front of (must occur once in the file) */
  before: string;
  /** the added statement */
  change: string;
  why: string;
  /** how the SDK reports the added command against a recorded history */
  detected: RegExp;
}

// In scope in the edited files: their own activity proxies, and `variantSleep`
// / `variantPatched`, imported by the line added at the top of each file.
export const EDITS: Edit[] = [
  {
    workflowType: 'endpointWorkflow',
    file: 'endpoint.workflow.ts',
    before: 'const { version } = await recordTransition({',
    change: 'await recordScores({ endpointId, version: s.version, set: { qualityScore: s.qualityScore } });',
    why: 'write the scores before every transition (an extra activity)',
    // against a run whose transitions are local activities the SDK finds the
    // activity where the history has the transition's local-activity marker
    detected: /activity command 'recordScores'|Missing associated machine for LocalActivity/,
  },
  {
    workflowType: 'providerOrderWorkflow',
    file: 'provider-order.workflow.ts',
    before: "if (input.direction === 'RELEASE') {",
    change: 'await acts.updateReliability({ providerId: input.providerId });',
    why: "refresh the carrier's reliability before the order starts (an extra activity)",
    // a release order since `release-leaves-shelf` begins with that patch's marker: the SDK
    // finds the added activity where the history has the marker
    detected: /activity command 'updateReliability'|patch marker encountered for change release-leaves-shelf, but there is no corresponding change command/,
  },
  {
    workflowType: 'inventoryMonitorWorkflow',
    file: 'inventory-monitor.workflow.ts',
    before: 'const res = await evaluateInventory({ windowMs: input.evaluationWindowMs });',
    change: "await variantSleep('1 second');",
    why: 'let a burst of signals settle before each evaluation (an extra timer)',
    detected: /Timer machine does not handle this event: .*ActivityTaskScheduled/,
  },
  {
    workflowType: 'inventoryTickWorkflow',
    file: 'inventory-monitor.workflow.ts',
    before: "await wakeMonitor({ reason: 'schedule' });",
    change: "await variantSleep('1 second');",
    why: 'a second of delay before waking the monitor (an extra timer)',
    detected: /Timer machine does not handle this event: .*ActivityTaskScheduled/,
  },
  {
    workflowType: 'accountDeactivationWorkflow',
    file: 'account-deactivation.workflow.ts',
    before: 'return releaseAccountNumbers({ accountId: input.accountId });',
    change: "await variantSleep('1 second');",
    why: 'a second more of grace before the release (an extra timer)',
    detected: /Timer machine does not handle this event: .*ActivityTaskScheduled/,
  },
  {
    workflowType: 'inactivityPolicyWorkflow',
    file: 'inactivity-policy.workflow.ts',
    before: 'const sweep = await sweepInactivity({ now: Date.now() });',
    change: "await variantSleep('1 second');",
    why: 'a second of delay before each sweep (an extra timer)',
    detected: /Timer machine does not handle this event: .*ActivityTaskScheduled/,
  },
];

export const patchId = (type: WorkflowType): string => `replay-test-${type}`;

const IMPORTS = "import { patched as variantPatched, sleep as variantSleep } from '@temporalio/workflow';\n";

/** The edited source of one workflows/ file (unchanged when no edit is for it). */
export function editSource(file: string, text: string, variant: Variant): string {
  const edits = EDITS.filter((e) => e.file === file);
  if (!edits.length) return text;
  let out = text;
  for (const e of edits) {
    const lines = out.split('\n');
    const at = lines.flatMap((l, i) => (l.trim() === e.before ? [i] : []));
    if (at.length !== 1) {
      throw new Error(`workflows/${file}: expected the line \`${e.before}\` once, found it ${at.length} times — update test/replay/variants.ts`);
    }
    const line = lines[at[0]!]!;
    const indent = line.slice(0, line.length - line.trimStart().length);
    const change = variant === 'patched' ? `if (variantPatched('${patchId(e.workflowType)}')) ${e.change}` : e.change;
    lines.splice(at[0]!, 0, `${indent}${change}`);
    out = lines.join('\n');
  }
  return IMPORTS + out;
}

/** Writes the variant's copy of workflows/ and returns the directory. */
export function writeVariant(variant: Variant): string {
  // per process: two test runs of one checkout must not share it
  const dir = join(ROOT, '.ei', 'replay-variants', `${process.pid}-${variant}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(WORKFLOWS).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(WORKFLOWS, file), 'utf8');
    const edited = editSource(file, text, variant);
    if (edited === text) copyFileSync(join(WORKFLOWS, file), join(dir, file));
    else writeFileSync(join(dir, file), edited);
  }
  return dir;
}

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never;

export async function variantBundle(variant: Variant): Promise<{ code: string }> {
  const dir = writeVariant(variant);
  try {
    return await bundleWorkflowCode({ workflowsPath: join(dir, 'index.ts'), logger: quiet });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
