// The recorded histories catch what they are there for: a change to a
// workflow's commands without `patched` fails replay with a
// DeterminismViolationError, for every workflow type and every one of its
// recorded paths; the same change behind `patched(...)` replays them all.
// The changed code is today's workflows/ source with one edit per type
// (test/replay/variants.ts), bundled like the worker's.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { RECORDED, WORKFLOW_TYPES } from './paths';
import { EDITS, variantBundle, type Variant } from './variants';

const DIR = __dirname;

async function replayAll(variant: Variant): Promise<Map<string, ReplayResult['error']>> {
  // a missing file is replay.test.ts's finding; here it counts as not shown
  const files = WORKFLOW_TYPES.flatMap((t) => Object.keys(RECORDED[t])).filter((f) => existsSync(join(DIR, f)));
  const histories = files.map((f) => ({ workflowId: f, history: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as unknown }));
  const outcome = new Map<string, ReplayResult['error']>();
  for await (const r of Worker.runReplayHistories({ workflowBundle: await variantBundle(variant) }, histories)) {
    outcome.set(r.workflowId, r.error);
  }
  return outcome;
}

describe('a workflow change without patched() fails replay', function () {
  this.timeout(180_000);
  const outcomes = new Map<Variant, Map<string, ReplayResult['error']>>();

  before(async () => {
    outcomes.set('unpatched', await replayAll('unpatched'));
    outcomes.set('patched', await replayAll('patched'));
  });

  for (const type of WORKFLOW_TYPES) {
    const edit = EDITS.find((e) => e.workflowType === type)!;

    it(`${type}: "${edit.why}" without patched() fails every recorded path with a DeterminismViolationError`, () => {
      const files = Object.keys(RECORDED[type]);
      const wrong = files.flatMap((f) => {
        const replayed = outcomes.get('unpatched')!;
        if (!replayed.has(f)) return [`${f}: not recorded`];
        const err = replayed.get(f);
        if (err instanceof DeterminismViolationError && edit.detected.test(err.message)) return [];
        return [`${f}: ${err ? `${err.name}: ${err.message}` : 'replayed without error'}`];
      });
      assert.deepEqual(wrong, [], `each history must fail on the added command (${edit.detected})`);
    });

    it(`${type}: the same change behind patched() replays every recorded path`, () => {
      const failed = Object.keys(RECORDED[type]).flatMap((f) => {
        const replayed = outcomes.get('patched')!;
        if (!replayed.has(f)) return [`${f}: not recorded`];
        const err = replayed.get(f);
        return err ? [`${f}: ${err.name}: ${err.message}`] : [];
      });
      assert.deepEqual(failed, []);
    });
  }
});
