// `npm run build` (after `tsc -p tsconfig.build.json` emitted dist/): copies
// the files the compiled code reads beside it (the dashboard's page and script,
// the keypad words, the migrations) and bundles the workflows once, so the
// built worker starts on node alone without bundling at start.
import { bundleWorkflowCode } from '@temporalio/worker';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');

async function main(): Promise<void> {
  const t0 = Date.now();
  for (const [from, to] of [
    ['src/api/dashboard', 'src/api/dashboard'],
    ['src/domain/keypad-words.txt', 'src/domain/keypad-words.txt'],
    ['prisma/migrations', 'prisma/migrations'],
  ] as const) {
    cpSync(join(ROOT, from), join(DIST, to), { recursive: true });
  }
  mkdirSync(DIST, { recursive: true });
  // package.json's bin entries: executable, each starting with its #!/usr/bin/env node
  const bins = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
  for (const file of Object.values(bins)) chmodSync(join(ROOT, file), 0o755);
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietLogger });
  writeFileSync(join(DIST, 'workflow-bundle.js'), code);
  console.log(`[build] dist/ ready in ${Date.now() - t0} ms (assets copied, dist/workflow-bundle.js ${Math.round(code.length / 1024)} KB)`);
}

const quiet = () => undefined;
const quietLogger = { trace: quiet, debug: quiet, info: quiet, log: quiet, warn: console.warn, error: console.error };

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
