// Recorded histories of every lifecycle path (made by RECORD_REPLAY=1 npm test
// -- test/workflows) replay against today's workflow code: a change to command
// order without `patched` fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/timeskip';

const DIR = __dirname;

describe('replay of recorded histories', function () {
  this.timeout(120_000);
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

  it('has a recorded history for every lifecycle path, the monitor and each order path', () => {
    for (const path of [
      'quarantine-to-available', 'voice-dirty-sms-only', 'rejected-returned', 'release-aging-available',
      'reservation-expires', 'concurrent-allocate', 'quality-retest', 'port-in', 'port-out', 'continue-as-new',
    ]) {
      assert.ok(files.includes(`endpoint-${path}.json`), `test/replay/endpoint-${path}.json is missing`);
    }
    // the monitor: evaluations, check-now, a batch of orders with child workflows, the schedule's wake-up
    assert.ok(files.includes('inventory-monitor.json'), 'test/replay/inventory-monitor.json is missing');
    // provider orders: delivered, wrong numbers re-routed, carrier down, operator entry
    for (const path of ['delivered', 'mismatch-rerouted', 'carrier-down', 'operator-entry']) {
      assert.ok(files.includes(`order-${path}.json`), `test/replay/order-${path}.json is missing`);
    }
  });

  it('replays each one deterministically', async () => {
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(join(DIR, f), 'utf8')),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
  });
});
