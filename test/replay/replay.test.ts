// Recorded histories of every path of every workflow type (listed in
// test/replay/paths.ts, made with RECORD_REPLAY=1 by the suites named there)
// replay against today's workflow code: a change to command order without
// `patched` fails here (determinism.test.ts shows that it does).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/timeskip';
import { RECORDED, TYPE_OF, WORKFLOW_TYPES } from './paths';

const DIR = __dirname;

interface History {
  events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[];
}

describe('replay of recorded histories', function () {
  this.timeout(120_000);
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const read = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as History;

  for (const type of WORKFLOW_TYPES) {
    it(`has a recorded history for every path of ${type}`, () => {
      const missing = Object.entries(RECORDED[type])
        .filter(([f]) => !files.includes(f))
        .map(([f, { path, by }]) => `test/replay/${f} (${path}) is missing: RECORD_REPLAY=1 npm test -- ${by}`);
      assert.deepEqual(missing, []);
      const wrongType = Object.keys(RECORDED[type])
        .filter((f) => files.includes(f))
        .flatMap((f) => {
          const name = read(f).events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
          return name === type ? [] : [`${f} holds ${name ?? 'no workflow start'}`];
        });
      assert.deepEqual(wrongType, []);
    });
  }

  it('lists every history it holds (an unlisted file says nothing about which path it is)', () => {
    assert.deepEqual(
      files.filter((f) => !TYPE_OF[f]),
      [],
      'add it to test/replay/paths.ts',
    );
  });

  it('replays each one deterministically', async () => {
    const histories = files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: read(f) }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
    assert.equal(replayed, files.length);
  });
});
