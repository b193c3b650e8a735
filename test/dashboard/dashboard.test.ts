// The operators' dashboard in a real browser: Debian's Chromium, headless,
// driven by playwright-core, against the API on the real database. The page's
// cards and tables must show the live figures of GET /v1/dashboard, follow a
// change by refreshing itself, and link rows to Temporal Web. A screenshot is
// kept in test-artifacts/dashboard.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../src/api/app';
import type { LifespanDistribution } from '../../src/domain/lifespan';
import { TemporalGateway } from '../../src/temporal/gateway';
import { serve } from '../support/http';
import { apiKey, db, stack, testConfig, testLog } from '../support/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

interface Dashboard {
  groupings: {
    name: string;
    available: number;
    onOrder: number;
    inQuarantine: number;
    minAvailable: number;
    targetAvailable: number;
    maxAvailable: number;
    series: unknown[];
    lifespan: LifespanDistribution;
    releases: { predictedReleases: number; held: number; windowDays: number } | null;
  }[];
  orders: { id: string; accepted: number; quantity: number; workflowUrl: string }[];
  quarantine: { total: number; endpoints: { address: string; workflowUrl: string }[] };
  regions: { region: string; available: number; allocated: number; pipeline: number; total: number }[];
}

describe('dashboard in a headless browser', function () {
  this.timeout(90_000);
  let app: Awaited<ReturnType<typeof serve>>;
  let gateway: TemporalGateway;
  let browser: Browser;
  let page: Page;
  let key = '';
  let groupingId = '';
  let orderId = '';

  const figures = async (): Promise<Dashboard> => {
    const res = await fetch(`${app.url}/v1/dashboard?window=1h`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    return (await res.json()) as Dashboard;
  };
  const card = (name: string) => page.locator(`[data-testid="grouping"][data-grouping="${name}"]`);

  before(async function () {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}: EI_SETUP_TEST_SERVER=1 bash scripts/setup.sh installs Debian's package (or set CHROMIUM_PATH)`);
    gateway = new TemporalGateway(stack().temporalAddress, 'default', 2000);
    app = await serve(buildApp({ db: db(), temporal: gateway, log: testLog, config: testConfig({ TEMPORAL_WEB_URL: 'http://temporal-web.test:8233' }) }));
    key = await apiKey('OPERATOR');
    // a grouping of 717 numbers running low: 3 available (min 5), a snapshot history, 2 in quarantine, an order in flight
    const g = await db().classificationGrouping.create({
      data: { name: 'dash 717 sms', tags: ['cap:sms', 'npa:717'], key: 'cap:sms + npa:717', minAvailable: 5, targetAvailable: 8, maxAvailable: 12 },
    });
    groupingId = g.id;
    const tags = ['cap:sms', 'country:us', 'npa:717'];
    for (let i = 0; i < 3; i++)
      await db().endpoint.create({
        data: { address: `+1717555010${i}`, kind: 'MOBILE', npa: '717', state: 'AVAILABLE', classifierTags: tags, smsEnabled: true },
      });
    await db().endpoint.create({
      data: {
        address: '+17175550200',
        kind: 'MOBILE',
        npa: '717',
        state: 'QUARANTINE',
        classifierTags: tags,
        voiceCleanliness: 0.45,
        messagingCleanliness: 0.9,
        quarantineUntil: new Date(Date.now() + 3_600_000),
      },
    });
    await db().endpoint.create({
      data: { address: '+17175550201', kind: 'MOBILE', npa: '717', state: 'TESTING', classifierTags: tags, voiceCleanliness: 1, messagingCleanliness: 0.7 },
    });
    // a region of their own, as the place data would set it (a test region code no real number has)
    await db().endpoint.updateMany({ where: { npa: '717' }, data: { region: 'us-zz' } });
    const now = Date.now();
    await db().inventorySnapshot.createMany({
      data: [9, 8, 6, 5, 4].map((available, i) => ({
        groupingId,
        takenAt: new Date(now - (50 - i * 10) * 60_000),
        available,
        allocated: 10 - available,
        reserved: 0,
        inQuarantine: 0,
        onOrder: 0,
        allocationRate: 6,
        unmetSearches: 0,
        trend: -6,
        depletionSeconds: (available / 6) * 3600,
        minAvailable: 5,
        targetAvailable: 8,
        maxAvailable: 12,
      })),
    });
    await db().groupingAllocation.create({ data: { groupingId, hour: new Date(Math.floor(now / 3_600_000) * 3_600_000), n: 6 } });
    await db().provider.upsert({ where: { id: 'dash-carrier' }, create: { id: 'dash-carrier', name: 'Dash Carrier', kind: 'MANUAL' }, update: {} });
    const order = await db().providerOrder.create({
      data: {
        providerId: 'dash-carrier',
        direction: 'ACQUIRE',
        idempotencyKey: `dash-${now}`,
        status: 'PARTIALLY_DELIVERED',
        lines: { create: [{ groupingId, quantity: 5, accepted: 2, delivered: 2, npa: '717', tags }] },
      },
    });
    orderId = order.id;
    // how long 717 numbers stayed allocated: 10 released after 3 days, 10 after 40 (since retired); 2 held for 2 days now
    await db().account.upsert({ where: { id: 'acct-dash' }, create: { id: 'acct-dash', name: 'dash' }, update: {} });
    const DAY = 86_400_000;
    const past = (i: number, state: 'RETIRED' | 'ALLOCATED', history: [string | null, string, number][]) =>
      db().endpoint.create({
        data: {
          address: `+1717555${3000 + i}`,
          kind: 'MOBILE',
          npa: '717',
          state,
          version: history.length,
          accountId: state === 'ALLOCATED' ? 'acct-dash' : null,
          classifierTags: tags,
          history: {
            create: history.map(([fromState, toState, daysAgo], v) => ({
              version: v + 1,
              fromState: fromState as 'ALLOCATED' | null,
              toState: toState as 'ALLOCATED',
              cause: 'test',
              actor: 'workflow',
              at: new Date(now - daysAgo * DAY),
            })),
          },
        },
      });
    for (let i = 0; i < 20; i++) {
      const held = i < 10 ? 3 : 40;
      await past(i, 'RETIRED', [
        [null, 'ALLOCATED', 100],
        ['ALLOCATED', 'AGING', 100 - held],
        ['AGING', 'RETIRED', 50 - held],
      ]);
    }
    for (let i = 20; i < 22; i++) await past(i, 'ALLOCATED', [[null, 'ALLOCATED', 2]]);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- before() may fail before it assigns these
    await browser?.close();
    await db().providerOrder.deleteMany({ where: { id: orderId } });
    await db().endpoint.deleteMany({ where: { npa: '717' } }); // no workflows: would be drift at the end
    await db().classificationGrouping.deleteMany({ where: { id: groupingId } });
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- before() may fail before it assigns these */
    await app?.close();
    await gateway?.close();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  it('asks for an operator key, refuses a platform key, then shows the live figures of the API', async () => {
    await page.goto(`${app.url}/dashboard?refresh=1`);
    await page.locator('#key').fill(await apiKey('PLATFORM', ['acct-dash']));
    await page.locator('#login-form button').click();
    await page
      .locator('#login-error')
      .filter({ hasText: /cannot do this/ })
      .waitFor();

    await page.locator('#key').fill(key);
    await page.locator('#login-form button').click();
    await card('dash 717 sms').waitFor();
    const api = await figures();
    const mine = api.groupings.find((g) => g.name === 'dash 717 sms')!;
    assert.equal(mine.available, 3);
    assert.equal(mine.series.length, 6, '5 snapshots + now');
    assert.equal(await card('dash 717 sms').locator('[data-testid="available"]').textContent(), String(mine.available));
    assert.equal(await card('dash 717 sms').locator('[data-testid="thresholds"]').textContent(), '5 / 8 / 12');
    assert.equal(await card('dash 717 sms').locator('[data-testid="on-order"]').textContent(), String(mine.onOrder));
    assert.equal(mine.onOrder, 3, '5 ordered, 2 accepted');
    assert.equal(await card('dash 717 sms').locator('[data-testid="in-quarantine"]').textContent(), '2');
    assert.match(
      (await card('dash 717 sms').locator('[data-testid="depletion"]').textContent()) ?? '',
      /runs out in ~30 min at 6\.0 allocations\/h · below minimum/,
    );
    const line = await card('dash 717 sms').locator('[data-testid="available-line"]').getAttribute('d');
    assert.equal((line ?? '').split(/[ML]/).filter(Boolean).length, 6, 'the chart draws every point');
    // every grouping of the API has its card
    assert.equal(await page.locator('[data-testid="grouping"]').count(), api.groupings.length);

    // orders in flight, linked to their workflows in Temporal Web
    assert.equal(await page.locator('[data-testid="order"]').count(), api.orders.length);
    const row = page.locator(`[data-testid="order"][data-order="${orderId}"]`);
    assert.equal(
      await row.locator('a').getAttribute('href'),
      `http://temporal-web.test:8233/namespaces/default/workflows/${encodeURIComponent(`order/${orderId}`)}`,
    );
    assert.match((await row.textContent()) ?? '', /Dash Carrier.*PARTIALLY_DELIVERED/);

    // quarantine with cleanliness, linked to the endpoint workflows
    const q = page.locator('[data-testid="quarantined"][data-address="+17175550200"]');
    assert.match((await q.textContent()) ?? '', /QUARANTINE.*0\.45.*0\.90/);
    assert.equal(
      await q.locator('a').getAttribute('href'),
      `http://temporal-web.test:8233/namespaces/default/workflows/${encodeURIComponent('endpoint/+17175550200')}`,
    );
    assert.equal(await page.locator('[data-testid="quarantine-total"]').textContent(), String(api.quarantine.total));

    // inventory per region: 3 available, 2 on their way
    assert.deepEqual(
      api.regions.find((r) => r.region === 'us-zz'),
      { region: 'us-zz', available: 3, allocated: 0, pipeline: 2, total: 5 },
    );
    assert.match((await page.locator('[data-testid="region"][data-region="us-zz"]').textContent()) ?? '', /^us-zz3025$/);
    assert.equal(await page.locator('[data-testid="region"]').count(), api.regions.length);
  });

  it('plots how long numbers stay allocated and the releases the monitor predicts', async () => {
    const mine = (await figures()).groupings.find((g) => g.name === 'dash 717 sms')!;
    assert.deepEqual([mine.lifespan.count, mine.lifespan.p25, mine.lifespan.p50, mine.lifespan.p75, mine.lifespan.p90], [20, 3, 3, 40, 40]);
    assert.deepEqual(
      mine.lifespan.buckets.map((b) => b.n),
      [0, 10, 0, 10, 0, 0, 0],
    );
    // held 2 days: S(2) = 1, S(9) = 0.5 (10 of the 20 at risk released at day 3) → 2 × 0.5 within the 7-day horizon
    assert.deepEqual(mine.releases, { predictedReleases: 1, held: 2, windowDays: 7 });

    const c = card('dash 717 sms');
    const bars = c.locator('[data-testid="lifespan-bar"]');
    assert.equal(await bars.count(), 7, 'one bar per bucket');
    const attr = async (name: string) => {
      const out: number[] = [];
      for (let i = 0; i < 7; i++) out.push(Number(await bars.nth(i).getAttribute(name)));
      return out;
    };
    assert.deepEqual(await attr('data-n'), [0, 10, 0, 10, 0, 0, 0]);
    const heights = await attr('height');
    assert.ok(heights[1]! > 0 && heights[1] === heights[3] && heights[0] === 0, `bars drawn to scale: ${heights.join(', ')}`);
    assert.match((await c.locator('[data-testid="lifespan"]').textContent()) ?? '', /held 3 days \(median; p25 3, p75 40, p90 40\) over 20 releases/);
    assert.match((await c.locator('[data-testid="predicted-releases"]').textContent()) ?? '', /1\.0 of 2 held expected back within 7 days/);
    assert.equal(await c.locator('[data-testid="predicted-releases"] .bar span').getAttribute('style'), 'width:50%');
  });

  it('refreshes itself: a change in the database shows without a reload', async () => {
    await db().endpoint.create({
      data: { address: '+17175550103', kind: 'MOBILE', npa: '717', state: 'AVAILABLE', classifierTags: ['cap:sms', 'country:us', 'npa:717'], smsEnabled: true },
    });
    await card('dash 717 sms').locator('[data-testid="available"]').filter({ hasText: /^4$/ }).waitFor({ timeout: 10_000 });
    assert.equal((await figures()).groupings.find((g) => g.name === 'dash 717 sms')!.available, 4);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    assert.ok(existsSync(join(ARTIFACTS, 'dashboard.png')));
  });
});
