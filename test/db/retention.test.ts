// History the service only reads within a window is deleted after
// HISTORY_RETENTION (receipts after twice WEBHOOK_TOLERANCE), in bounded
// batches, by the monitor's pass; what is younger stays.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { inventoryActivities } from '../../activities/inventory';
import { loadConfig, ConfigError } from '../../src/config';
import { createGrouping } from '../../src/db/groupings';
import { pruneHistory } from '../../src/db/retention';
import { db } from '../support/stack';

const DAY = 86_400_000;
const MINUTE = 60_000;

describe('history retention: old snapshots, unmet searches and webhook receipts are pruned', function () {
  this.timeout(60_000);
  const mark = `retention-${randomUUID().slice(0, 8)}`;
  let groupingId: string;
  let seeded = 0;

  // three old and two fresh rows in each table, all marked as this test's
  async function seed(): Promise<void> {
    seeded++;
    const ago = (ms: number) => new Date(Date.now() - ms);
    for (const at of [ago(40 * DAY), ago(35 * DAY), ago(31 * DAY), ago(29 * DAY), ago(1 * DAY)]) {
      await db().$executeRaw`
        INSERT INTO inventory_snapshots (grouping_id, taken_at, available, allocated, reserved, in_quarantine, on_order,
                                         allocation_rate, unmet_searches, trend, min_available, target_available, max_available)
        VALUES (${groupingId}::uuid, ${at}, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3)`;
      await db().$executeRaw`INSERT INTO unmet_searches (tags, at) VALUES (${[`test:${mark}`]}::text[], ${at})`;
    }
    // tolerance 5 minutes: a receipt matters for 10 minutes after it was taken
    for (const [i, at] of [ago(60 * MINUTE), ago(30 * MINUTE), ago(11 * MINUTE), ago(9 * MINUTE), ago(1 * MINUTE)].entries()) {
      await db().$executeRaw`INSERT INTO webhook_receipts (signature, provider_id, received_at) VALUES (${`${mark}-${seeded}-${i}`}, 'p', ${at})`;
    }
  }
  const mine = async () => ({
    snapshots: (await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM inventory_snapshots WHERE grouping_id = ${groupingId}::uuid`)[0]!.n,
    unmet: (await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM unmet_searches WHERE ${`test:${mark}`} = ANY (tags)`)[0]!.n,
    receipts: (await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_receipts WHERE signature LIKE ${`${mark}-%`}`)[0]!.n,
  });

  before(async () => {
    groupingId = (await createGrouping(db(), { name: mark, tags: [`test:${mark}`], minAvailable: 0, targetAvailable: 0, maxAvailable: 10, enabled: false })).id;
  });
  after(async () => {
    await db().$executeRaw`DELETE FROM inventory_snapshots WHERE grouping_id = ${groupingId}::uuid`;
    await db().$executeRaw`DELETE FROM unmet_searches WHERE ${`test:${mark}`} = ANY (tags)`;
    await db().$executeRaw`DELETE FROM webhook_receipts WHERE signature LIKE ${`${mark}-%`}`;
    await db().$executeRaw`DELETE FROM classification_groupings WHERE id = ${groupingId}::uuid`;
  });

  it('deletes what is older, a bounded batch at a time, and keeps the rest', async () => {
    await seed();
    assert.deepEqual(await mine(), { snapshots: 5, unmet: 5, receipts: 5 });
    const opts = { retentionMs: 30 * DAY, webhookToleranceMs: 5 * MINUTE, batch: 2 };
    const first = await pruneHistory(db(), opts);
    assert.ok(first.snapshots <= 2 && first.unmetSearches <= 2 && first.webhookReceipts <= 2, `one batch of at most 2 per table: ${JSON.stringify(first)}`);
    for (let pass = 0; pass < 20; pass++) {
      const p = await pruneHistory(db(), opts);
      if (p.snapshots + p.unmetSearches + p.webhookReceipts === 0) break;
    }
    // 40, 35 and 31 days old go; 29 and 1 stay. Receipts 60, 30 and 11 minutes old go; 9 and 1 stay.
    assert.deepEqual(await mine(), { snapshots: 2, unmet: 2, receipts: 2 });
  });

  it("the monitor's pass prunes, with the worker's settings", async () => {
    await seed();
    const config = loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/x' });
    const activities = inventoryActivities({ db: db(), retention: { retentionMs: config.HISTORY_RETENTION, webhookToleranceMs: config.WEBHOOK_TOLERANCE } });
    await activities.evaluateInventory({ windowMs: config.MONITOR_EVALUATION_WINDOW });
    assert.deepEqual(await mine(), { snapshots: 4, unmet: 4, receipts: 4 }, 'the two fresh rows of each seed stay');
  });

  it('refuses a retention shorter than the windows that read it, naming the setting', () => {
    assert.throws(
      () => loadConfig({ HISTORY_RETENTION: '3 days' }),
      (err: unknown) => err instanceof ConfigError && /HISTORY_RETENTION: must be at least 7 days/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ HISTORY_RETENTION: '10 days', MONITOR_EVALUATION_WINDOW: '14 days' }),
      (err: unknown) => err instanceof ConfigError && /HISTORY_RETENTION: must be at least 14 days/.test(err.message),
    );
    assert.equal(loadConfig({ HISTORY_RETENTION: '7 days' }).HISTORY_RETENTION, 7 * DAY);
  });
});
