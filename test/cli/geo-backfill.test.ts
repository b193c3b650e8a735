// `ops geo-backfill`: rows without a place get one, with progress on stderr
// and the result on stdout; run again, it has nothing left to do.
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/program';
import { db, stack } from '../support/stack';

describe('ops geo-backfill', () => {
  const ADDRESSES = ['+14155559921', '+12125559922', '+18005559923'];
  const ops = async (argv: string[]) => {
    let out = '';
    let err = '';
    const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: stack().databaseUrl, TEMPORAL_ADDRESS: stack().temporalAddress };
    const code = await runCli(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env, stderrIsTTY: false });
    return { code, out, err };
  };

  before(async () => {
    await db().$executeRaw`UPDATE endpoints SET geo_checked_at = now() WHERE geo_checked_at IS NULL`;
    await db().$executeRaw`
      INSERT INTO endpoints (address, kind, country, npa, digits, state, classifier_tags)
      SELECT a, 'FIXED_LINE_OR_MOBILE', 'US', substr(a, 3, 3), substr(a, 3), 'REJECTED', ARRAY['country:us']
        FROM unnest(${ADDRESSES}::text[]) AS a`;
  });
  after(() => db().endpoint.deleteMany({ where: { address: { in: ADDRESSES } } }));

  it('places the rows that have no place yet, reporting progress and what it could not place', async () => {
    const run = await ops(['geo-backfill', '--batch', '2']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /^endpoints looked up: 3; placed: 2; unknown to the place data: 1$/m);
    assert.match(run.err, /^geo-backfill 3\/3 in [\d.]+s$/m);
    const rows = await db().endpoint.findMany({ where: { address: { in: ADDRESSES } }, orderBy: { address: 'asc' } });
    assert.deepEqual(
      rows.map((r) => [r.address, r.region, r.locality]),
      [
        ['+12125559922', 'us-ny', 'New York'],
        ['+14155559921', 'us-ca', 'San Francisco'],
        ['+18005559923', null, null],
      ],
    );
    const again = await ops(['geo-backfill', '--json']);
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.out), { checked: 0, placed: 0, unknown: 0, interrupted: false });
    const all = await ops(['geo-backfill', '--all', '--json']);
    assert.ok((JSON.parse(all.out) as { checked: number }).checked >= 3, '--all looks every row up again');
  });
});
