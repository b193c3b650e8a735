// The usage recorder alone: counts are aggregated per endpoint, holder and
// day in memory; a flush is one statement however many uses; a flush that
// fails keeps its counts for the next.
import assert from 'node:assert/strict';
import type { Db } from '../../src/db/client';
import { UsageRecorder } from '../../src/usecases/usage';

describe('usage recorder', () => {
  it('aggregates in memory, writes once per flush, and keeps what a failed flush could not write', async () => {
    const statements: string[] = [];
    let fail = true;
    const db = {
      $executeRaw: (strings: TemplateStringsArray, ...values: unknown[]) => {
        if (fail) return Promise.reject(new Error('database away'));
        statements.push(String(values[0]));
        return Promise.resolve(1);
      },
    } as unknown as Db;
    const errors: unknown[] = [];
    const usage = new UsageRecorder(db, 60_000, (err) => errors.push(err));
    const day = new Date('2026-11-30T12:00:00Z');
    for (let i = 0; i < 1000; i++) usage.note('e1', 'acct-a', 'lookup', 1, day);
    usage.note('e1', 'acct-a', 'callIn', 3, day);
    usage.note('e1', 'acct-a', 'lookup', 1, new Date('2026-12-01T00:00:01Z'));

    await usage.flush();
    assert.equal(errors.length, 1);
    assert.equal(statements.length, 0);
    fail = false;
    await usage.flush();
    assert.equal(statements.length, 1, 'one statement for 1,004 uses');
    const rows = JSON.parse(statements[0]!) as { day: string; lookups: number; callsIn: number }[];
    assert.deepEqual(rows.map((r) => [r.day, r.lookups, r.callsIn]).sort(), [
      ['2026-11-30', 1000, 3],
      ['2026-12-01', 1, 0],
    ]);
    await usage.flush();
    assert.equal(statements.length, 1, 'nothing new: nothing written');
  });
});
