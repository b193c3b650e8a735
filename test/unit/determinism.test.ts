// Workflow code must replay deterministically: no I/O, no Prisma, no
// process.env, no Node builtins. A lint as a test, so CI enforces it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const ALLOWED = [/^@temporalio\/(workflow|common)$/, /^\.\/[\w.-]+$/];

export function violations(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
    const [, typeOnly, source] = m as unknown as [string, string | undefined, string];
    if (typeOnly) continue; // erased at compile time
    if (!ALLOWED.some((re) => re.test(source))) found.push(`${file}: imports '${source}'`);
  }
  if (/\brequire\(/.test(text)) found.push(`${file}: calls require()`);
  if (/\bprocess\.env\b/.test(text)) found.push(`${file}: reads process.env`);
  if (/\bsetTimeout\(|\bsetInterval\(/.test(text)) found.push(`${file}: uses timers (use sleep/condition)`);
  return found;
}

describe('workflow determinism lint', () => {
  it('finds no I/O, Prisma, env or Node builtins in workflows/', () => {
    const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 0);
    const found = files.flatMap((f) => violations(f, readFileSync(join(WORKFLOWS, f), 'utf8')));
    assert.deepEqual(found, []);
  });

  it('catches the mistakes it is there for', () => {
    const bad = [
      "import { PrismaClient } from '@prisma/client';",
      "import { readFileSync } from 'node:fs';",
      "import { createDb } from '../src/db/client';",
      'const url = process.env.DATABASE_URL;',
      'setTimeout(() => {}, 10);',
    ].join('\n');
    assert.equal(violations('x.ts', bad).length, 5);
    assert.deepEqual(violations('y.ts', "import type { Activities } from '../activities';"), []);
  });
});
