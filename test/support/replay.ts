// RECORD_REPLAY=1 saves a workflow's history to test/replay/<name>.json, for
// test/replay/replay.test.ts to replay against later workflow code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (!process.env.RECORD_REPLAY) return;
  writeFileSync(join(__dirname, '..', 'replay', `${name}.json`), historyToJSON(await handle.fetchHistory()));
}
