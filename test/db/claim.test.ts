// The criteria claim (src/db/endpoints.ts claim): the best
// match first, never a row another claim holds, and still a row when every
// candidate of its first window is held by claims in flight.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CLAIM_WINDOW, claim } from '../../src/db/endpoints';
import { db, stack } from '../support/stack';

describe('criteria claim: best first, bounded, never stuck behind claims in flight', function () {
  this.timeout(60_000);
  const tag = `test:claim-${randomUUID().slice(0, 8)}`;
  const TOTAL = CLAIM_WINDOW + 6;
  // area code 966 belongs to this file; quality falls with i, so +19665550000 (i = 0) is the best
  const address = (i: number) => `+1966555${String(i).padStart(4, '0')}`;
  const quality = (i: number) => (1000 - i) / 1000;

  before(async () => {
    await db().$executeRaw`
      INSERT INTO endpoints (address, kind, country, npa, nxx, line, digits, state, quality_score, classifier_tags)
      SELECT '+1966555' || lpad(i::text, 4, '0'), 'MOBILE', 'US', '966', '555', lpad(i::text, 4, '0'), '966555' || lpad(i::text, 4, '0'),
             'AVAILABLE', 1 - i / 1000.0, ARRAY['cap:sms', 'npa:966', ${tag}]
        FROM generate_series(0, ${TOTAL - 1}) i`;
  });
  after(async () => {
    await db().$executeRaw`DELETE FROM endpoints WHERE npa = '966' AND ${tag} = ANY (classifier_tags)`;
  });

  it('takes the best match, then the next best; a claimed row is not offered again', async () => {
    const first = await claim(db(), { tags: [tag], token: randomUUID(), resumable: false });
    // by an area code: through the tags index instead of the best-first walk
    const second = await claim(db(), { tags: ['npa:966', tag], token: randomUUID(), resumable: false });
    assert.equal(first?.address, address(0));
    assert.equal(second?.address, address(1));
    const except = await claim(db(), { tags: [tag], token: randomUUID(), except: address(2), resumable: false });
    assert.equal(except?.address, address(3), 'the excepted address is skipped');
    await db().$executeRaw`UPDATE endpoints SET claimed_until = NULL, claim_token = NULL WHERE ${tag} = ANY (classifier_tags)`;
  });

  for (const [how, tags] of [
    ['walking the shelf best first', () => [tag]],
    ['by an area code, through the tags index', () => ['npa:966', tag]],
  ] as const) {
    it(`finds a row beyond a whole window of candidates locked by claims in flight (${how})`, async () => {
      // another session holds the best CLAIM_WINDOW rows, as concurrent claims do before they commit
      const holder = new Client({ connectionString: stack().databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        const held = await holder.query<{ address: string }>(
          `SELECT address FROM endpoints WHERE $1 = ANY (classifier_tags) ORDER BY quality_score DESC NULLS LAST, address LIMIT $2 FOR UPDATE`,
          [tag, CLAIM_WINDOW],
        );
        assert.equal(held.rows.length, CLAIM_WINDOW);
        const got = await claim(db(), { tags: tags(), token: randomUUID(), resumable: false });
        assert.equal(got?.address, address(CLAIM_WINDOW), 'the best row nobody holds');
        const row = await db().$queryRaw<
          { claimed: boolean; q: number }[]
        >`SELECT claimed_until > now() AS claimed, quality_score AS q FROM endpoints WHERE address = ${got.address}`;
        assert.equal(row[0]?.claimed, true);
        assert.equal(row[0].q, quality(CLAIM_WINDOW));
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      }
      await db().$executeRaw`UPDATE endpoints SET claimed_until = NULL, claim_token = NULL WHERE ${tag} = ANY (classifier_tags)`;
    });
  }

  it('answers nothing when every match is claimed, without waiting', async () => {
    const got: string[] = [];
    for (;;) {
      const c = await claim(db(), { tags: [tag], token: randomUUID(), resumable: false });
      if (!c) break;
      got.push(c.address);
      assert.ok(got.length <= TOTAL, 'claimed more rows than match');
    }
    assert.equal(new Set(got).size, TOTAL, 'each row once');
  });
});
