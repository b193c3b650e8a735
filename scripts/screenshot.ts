// `npm run screenshot -- <operator key> [out.png] [api url]`: the dashboard of
// a running stack (npm start) in headless Chromium, saved as a PNG — how the
// README's picture is made.
import { chromium } from 'playwright-core';

async function main(): Promise<number> {
  const [key, out = 'docs/dashboard.png', api = 'http://127.0.0.1:3000'] = process.argv.slice(2);
  if (!key || key === '--help') {
    console.error('usage: npm run screenshot -- <operator key> [out.png] [api url]');
    return 2;
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    await page.goto(`${api}/dashboard`);
    await page.locator('#key').fill(key);
    await page.locator('#login-form button').click();
    await page.locator('[data-testid="grouping"]').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: out, fullPage: true });
    console.log(`saved ${out}`);
    return 0;
  } finally {
    await browser.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
