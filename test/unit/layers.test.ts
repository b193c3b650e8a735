// Layer rules (issue 13, "the middle layer"), enforced as a test so a
// shortcut across layers fails CI instead of waiting for a reviewer. Dependencies
// point one way: route → use case → repository (src/db) / Temporal gateway
// (src/temporal) → domain (src/domain).
//
//   1 routes     src/api/routes/** never import src/db (incl. generated), @prisma/*, pg,
//                @temporalio/client or src/temporal — not even for types: a route parses,
//                calls one use case and maps the answer, so storage and Temporal stay swappable.
//   2 domain     src/domain/** imports only src/domain and libraries: the rules stay pure
//                and testable without a database, a worker or HTTP.
//   3 workflows  workflows/*.ts import at run time only @temporalio/workflow,
//                @temporalio/common and ./siblings: workflow code runs in the deterministic
//                sandbox and must replay. Type-only imports are erased, so they may also
//                come from activities/ and src/domain.
//   4 use cases  src/usecases/** never import src/api or express: HTTP is one caller
//                among the CLI, activities and scripts.
//   5 db         src/db/** never imports use cases, the API, src/temporal or activities:
//                repositories are the bottom of the stack and return plain objects.
//   6 temporal   @temporalio/client is imported at run time only by src/temporal (the
//                typed gateway) and what starts servers (workers, scripts/lib, tests, bench);
//                a type-only import is tolerated in activities/index.ts and
//                src/usecases/{ingest,reconcile}.ts, which keep a test-facing wrapper.
//   7 sql        SQL and Prisma calls live in src/db (and prisma/, bench/, test/): every
//                statement has one home and every table one writer.
//
// The scanner parses with the TypeScript compiler (a devDependency), so multi-line
// imports, comments, strings, `import type`, `export … from`, `import()`, `require()` and
// `typeof import('…')` are all read the way tsc reads them. The self-test at the bottom
// feeds it known-bad and known-good snippets, so this test cannot pass by scanning nothing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
// test/, bench/ and prisma/ are exempt from every rule, so only runtime code is scanned
const SCANNED = ['src', 'activities', 'workers', 'workflows', 'scripts'];
const SKIPPED = ['src/db/generated']; // written by `prisma generate`, not by us

// ---------------------------------------------------------------- the rules, as data

/** Where an import points: repository paths (relative specifiers) and npm/node packages. */
interface Targets {
  files?: string[]; // globs over repository paths, without extension
  packages?: string[]; // globs over package names ('@prisma/*', 'pg', '**' = any package)
}

interface ImportRule {
  id: string;
  from: string[]; // globs over importing files
  except?: string[];
  counts: 'all' | 'runtime' | 'types'; // which imports the rule looks at
  forbid?: Targets; // these are violations…
  allowOnly?: Targets; // …or: everything but these is
  reason: string;
}

const SERVER_STARTERS = ['src/temporal/**', 'workers/**', 'scripts/lib/**', 'test/**', 'bench/**'];

export const IMPORT_RULES: ImportRule[] = [
  {
    id: '1 routes',
    from: ['src/api/routes/**'],
    counts: 'all',
    forbid: { files: ['src/db/**', 'src/temporal/**'], packages: ['@prisma/*', 'pg', '@temporalio/client'] },
    reason: 'a route calls one use case; storage and Temporal are behind it',
  },
  {
    id: '2 domain',
    from: ['src/domain/**'],
    counts: 'all',
    allowOnly: { files: ['src/domain/**'], packages: ['**'] },
    reason: 'domain rules are pure: src/domain and libraries only',
  },
  {
    id: '3 workflows',
    from: ['workflows/*.ts'],
    counts: 'runtime',
    allowOnly: { files: ['workflows/*'], packages: ['@temporalio/workflow', '@temporalio/common'] },
    reason: 'workflow code runs in the deterministic sandbox',
  },
  {
    id: '3 workflows',
    from: ['workflows/*.ts'],
    counts: 'types',
    allowOnly: {
      files: ['workflows/*', 'activities/**', 'src/domain/**'],
      packages: ['@temporalio/workflow', '@temporalio/common'],
    },
    reason: 'workflow types come only from siblings, activities/ and src/domain',
  },
  {
    id: '4 use cases',
    from: ['src/usecases/**'],
    counts: 'all',
    forbid: { files: ['src/api/**'], packages: ['express'] },
    reason: 'use cases do not know HTTP',
  },
  {
    id: '5 db',
    from: ['src/db/**'],
    counts: 'all',
    forbid: { files: ['src/usecases/**', 'src/api/**', 'src/temporal/**', 'activities/**'] },
    reason: 'repositories are the bottom layer',
  },
  {
    id: '6 temporal client',
    from: ['**'],
    except: SERVER_STARTERS,
    counts: 'runtime',
    forbid: { packages: ['@temporalio/client'] },
    reason: 'only the gateway in src/temporal talks to Temporal',
  },
  {
    id: '6 temporal client',
    from: ['**'],
    except: [...SERVER_STARTERS, 'activities/index.ts', 'src/usecases/{ingest,reconcile}.ts'],
    counts: 'types',
    forbid: { packages: ['@temporalio/client'] },
    reason: 'only the gateway in src/temporal talks to Temporal',
  },
];

export const SQL_RULE = {
  id: '7 sql',
  from: ['src/**', 'activities/**', 'workers/**', 'workflows/**', 'scripts/**'],
  except: ['src/db/**', 'scripts/lib/**'],
  raw: ['$queryRaw', '$queryRawUnsafe', '$executeRaw', '$executeRawUnsafe', '$transaction'],
  builders: ['sql', 'raw', 'join'], // Prisma.sql`…`, Prisma.raw(…), Prisma.join(…)
  // <db|tx|prisma|x.db>.<camelCaseModel>.<method>(
  clients: ['db', 'tx', 'prisma'],
  methods: [
    'findUnique',
    'findUniqueOrThrow',
    'findFirst',
    'findFirstOrThrow',
    'findMany',
    'create',
    'createMany',
    'createManyAndReturn',
    'update',
    'updateMany',
    'updateManyAndReturn',
    'upsert',
    'delete',
    'deleteMany',
    'count',
    'groupBy',
    'aggregate',
  ],
  reason: 'every SQL statement and Prisma call lives in a src/db repository',
};

// ---------------------------------------------------------------- globs and paths

function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (glob.startsWith('/**', i) && i + 3 === glob.length) {
      re += '(?:/.*)?';
      i += 2;
    } else if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const globCache = new Map<string, RegExp>();
function matches(path: string, globs: string[] | undefined): boolean {
  return (globs ?? []).some((g) => {
    let re = globCache.get(g);
    if (!re) globCache.set(g, (re = globRegExp(g)));
    return re.test(path);
  });
}

type Target = { kind: 'file'; path: string } | { kind: 'package'; name: string };

/** `../../db/client.js` from src/api/routes/x.ts → src/db/client; `@prisma/client/runtime` → @prisma/client. */
export function resolveSpecifier(file: string, specifier: string): Target {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const path = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.(?:[cm]?[jt]sx?)$/, '');
    return { kind: 'file', path };
  }
  const parts = specifier.split('/');
  return { kind: 'package', name: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]! };
}

function hits(target: Target, targets: Targets | undefined): boolean {
  return target.kind === 'file' ? matches(target.path, targets?.files) : matches(target.name, targets?.packages);
}

// ---------------------------------------------------------------- the scanner

export interface FoundImport {
  specifier: string;
  typeOnly: boolean;
  line: number;
}

function parse(file: string, text: string): ts.SourceFile {
  // every file here is a module, so top-level `await` parses as await even in an import-less snippet
  const asModule = (sf: ts.SourceFile) => {
    (sf as { externalModuleIndicator?: unknown }).externalModuleIndicator = sf;
  };
  return ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, setExternalModuleIndicator: asModule }, true, ts.ScriptKind.TS);
}

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

/** Every module a file refers to, and whether that reference survives compilation. */
export function scanImports(sf: ts.SourceFile): FoundImport[] {
  const found: FoundImport[] = [];
  const add = (spec: ts.Node | undefined, typeOnly: boolean, at: ts.Node) => {
    if (spec && ts.isStringLiteralLike(spec)) found.push({ specifier: spec.text, typeOnly, line: lineOf(sf, at) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      // `import type {…}`, or `import { type A, type B }` (erased whole); `import 'x'` runs
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly || (!clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly, node);
    } else if (ts.isExportDeclaration(node)) {
      const clause = node.exportClause;
      const typeOnly = node.isTypeOnly || (!!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, typeOnly, node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, node); // import x = require('…')
    } else if (ts.isImportTypeNode(node)) {
      // typeof import('…') / import('…').T in a type position
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal, true, node);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isImport || isRequire) add(node.arguments[0], false, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) {
    e = e.expression;
  }
  return e;
}

/** Raw SQL, Prisma SQL builders, interactive transactions and Prisma model calls. */
export function scanSql(sf: ts.SourceFile): { what: string; line: number }[] {
  const found: { what: string; line: number }[] = [];
  const isClient = (e: ts.Expression): boolean => {
    e = unwrap(e);
    if (ts.isIdentifier(e)) return SQL_RULE.clients.includes(e.text);
    return ts.isPropertyAccessExpression(e) && SQL_RULE.clients.includes(e.name.text); // deps.db, this.db
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const name = node.name.text;
      if (SQL_RULE.raw.includes(name)) found.push({ what: name, line: lineOf(sf, node.name) });
      const obj = unwrap(node.expression);
      if (ts.isIdentifier(obj) && obj.text === 'Prisma' && SQL_RULE.builders.includes(name)) {
        found.push({ what: `Prisma.${name}`, line: lineOf(sf, node) });
      }
    }
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee) && SQL_RULE.methods.includes(callee.name.text)) {
        const model = unwrap(callee.expression);
        if (ts.isPropertyAccessExpression(model) && /^[a-z][A-Za-z0-9]*$/.test(model.name.text) && isClient(model.expression)) {
          const client = unwrap(model.expression).getText(sf);
          found.push({ what: `${client}.${model.name.text}.${callee.name.text}(`, line: lineOf(sf, callee.name) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Every layer violation in one file, as `file: imports 'x' (rule 1 routes)`. */
export function check(file: string, text: string): string[] {
  const sf = parse(file, text);
  const out: string[] = [];
  for (const imp of scanImports(sf)) {
    const target = resolveSpecifier(file, imp.specifier);
    for (const rule of IMPORT_RULES) {
      if (!matches(file, rule.from) || matches(file, rule.except)) continue;
      if ((rule.counts === 'runtime' && imp.typeOnly) || (rule.counts === 'types' && !imp.typeOnly)) continue;
      const bad = rule.forbid ? hits(target, rule.forbid) : !hits(target, rule.allowOnly);
      if (bad) out.push(`${file}: imports ${imp.typeOnly ? 'type ' : ''}'${imp.specifier}' (rule ${rule.id})`);
    }
  }
  if (matches(file, SQL_RULE.from) && !matches(file, SQL_RULE.except)) {
    for (const use of scanSql(sf)) {
      out.push(`${file}: uses '${use.what}' at line ${use.line} (rule ${SQL_RULE.id})`);
    }
  }
  return [...new Set(out)];
}

// ---------------------------------------------------------------- the repository

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !SKIPPED.includes(path)) walk(path);
      } else if (/\.[cm]?tsx?$/.test(entry.name)) {
        files.push(path);
      }
    }
  };
  for (const dir of SCANNED) walk(dir);
  return files.sort();
}

const ruleOf = (v: string) => /\(rule (\d)/.exec(v)![1]!;

describe('layer rules (imports and SQL stay in their layer)', () => {
  let files: string[] = [];
  let texts = new Map<string, string>();
  let all: string[] = [];
  before(() => {
    files = sourceFiles();
    texts = new Map(files.map((f) => [f, readFileSync(join(ROOT, ...f.split('/')), 'utf8')] as const));
    all = files.flatMap((f) => check(f, texts.get(f)!));
  });

  it('scans every layer (a scan of nothing would pass)', () => {
    const minimum: Record<string, number> = {
      'src/api/routes': 6,
      'src/usecases': 3,
      'src/db': 6,
      'src/domain': 6,
      'src/temporal': 3,
      workflows: 5,
      activities: 3,
      workers: 2,
      scripts: 5,
      'src/cli': 5,
    };
    for (const [dir, min] of Object.entries(minimum)) {
      const n = files.filter((f) => f.startsWith(`${dir}/`)).length;
      assert.ok(n >= min, `${dir}: ${n} .ts files scanned, expected at least ${min}`);
    }
    assert.ok(!files.some((f) => f.startsWith('src/db/generated/')), 'generated Prisma client is skipped');
    // every route and workflow has imports, so the scanner is reading them
    for (const f of files.filter((f) => /^(src\/api\/routes|workflows)\//.test(f))) {
      assert.ok(scanImports(parse(f, texts.get(f)!)).length > 0, `${f}: no imports found`);
    }
  });

  for (const id of ['1', '2', '3', '4', '5', '6', '7']) {
    const rule = [...IMPORT_RULES, SQL_RULE].find((r) => r.id.startsWith(id))!;
    it(`rule ${rule.id}: ${rule.reason}`, () => {
      const found = all.filter((v) => ruleOf(v) === id);
      if (found.length > 0) assert.fail(`${found.length} violation(s):\n  ${found.join('\n  ')}`);
    });
  }
});

describe('layer rules: the scanner catches what it is there for', () => {
  const route = 'src/api/routes/things.ts';
  const rulesHit = (file: string, text: string) => [...new Set(check(file, text).map(ruleOf))].sort();

  it('reads every import form, and not comments or strings', () => {
    const text = [
      'import {',
      '  a,',
      '  b,',
      "} from './multi';",
      "import type { T } from './types';",
      "import { type U, type V } from './types2';",
      "import D, { type W } from './mixed';",
      "export { x } from './re';",
      "export type { Y } from './retype';",
      "export * from './star';",
      "import './side-effect';",
      "const m = await import('./dynamic');",
      "const r = require('./required');",
      "type C = typeof import('./typeof');",
      "import e = require('./equals');",
      "// import { no } from './comment';",
      "/* export * from './block'; */",
      'const s = "import x from \'./string\'";',
      "const t = `require('./template')`;",
    ].join('\n');
    const found = scanImports(parse('src/x.ts', text)).map((i) => `${i.specifier}${i.typeOnly ? ' (type)' : ''}`);
    assert.deepEqual(found, [
      './multi',
      './types (type)',
      './types2 (type)',
      './mixed',
      './re',
      './retype (type)',
      './star',
      './side-effect',
      './dynamic',
      './required',
      './typeof (type)',
      './equals',
    ]);
  });

  it('resolves relative specifiers to repository paths', () => {
    assert.deepEqual(resolveSpecifier('src/api/routes/x.ts', '../../db/client.js'), { kind: 'file', path: 'src/db/client' });
    assert.deepEqual(resolveSpecifier('workflows/a.ts', '../activities'), { kind: 'file', path: 'activities' });
    assert.deepEqual(resolveSpecifier('src/a.ts', '@prisma/client/runtime/client'), { kind: 'package', name: '@prisma/client' });
    assert.deepEqual(resolveSpecifier('src/a.ts', 'node:fs/promises'), { kind: 'package', name: 'node:fs' });
  });

  const bad: [string, string, string[]][] = [
    // [file, snippet, rules it breaks]
    [route, "import { createDb } from '../../db/client';", ['1']],
    [route, "import { Prisma } from '../../db/generated/client';", ['1']],
    [route, "import type { Endpoint } from '../../db/generated/models';", ['1']],
    [route, "import {\n  PrismaClient,\n} from '@prisma/client';", ['1']],
    [route, "export { Pool } from 'pg';", ['1']],
    [route, "import type { Client } from '@temporalio/client';", ['1', '6']],
    [route, "type C = import('@temporalio/client').Client;", ['1', '6']],
    [route, "const g = require('../../temporal/gateway');", ['1']],
    [route, "const e = await import('../../temporal/endpoints');", ['1']],
    ['src/domain/rules.ts', "import { findByAddress } from '../db/endpoint-reads';", ['2']],
    ['src/domain/rules.ts', "import type { Snapshot } from '../../workflows/shared';", ['2']],
    ['src/domain/rules.ts', "import type { Deps } from '../usecases/ingest';", ['2']],
    ['src/domain/rules.ts', "import { logger } from '../logger';", ['2']],
    ['workflows/x.workflow.ts', "import { readFileSync } from 'node:fs';", ['3']],
    ['workflows/x.workflow.ts', "import { errors } from '../src/domain/errors';", ['3']],
    ['workflows/x.workflow.ts', "import type { Client } from '@temporalio/client';", ['3', '6']],
    ['workflows/x.workflow.ts', "import type { Row } from '../src/db/endpoints';", ['3']],
    ['workflows/x.workflow.ts', "import { lib } from './lib/deep';", ['3']],
    ['src/usecases/allocate.ts', "import { HttpError } from '../api/errors';", ['4']],
    ['src/usecases/allocate.ts', "import type { Request } from 'express';", ['4']],
    ['src/db/endpoints.ts', "import { allocate } from '../usecases/allocate';", ['5']],
    ['src/db/orders.ts', "import type { Activities } from '../../activities';", ['5']],
    ['src/db/orders.ts', "import { TemporalGateway } from '../temporal/gateway';", ['5']],
    ['src/db/orders.ts', "import { HttpError } from '../api/errors';", ['5']],
    ['src/usecases/allocate.ts', "import { Client } from '@temporalio/client';", ['6']],
    ['src/usecases/allocate.ts', "import type { Client } from '@temporalio/client';", ['6']],
    ['src/usecases/ingest.ts', "import { Client } from '@temporalio/client';", ['6']],
    ['activities/orders.ts', "import type { Client } from '@temporalio/client';", ['6']],
    ['scripts/demo-seed.ts', "import { Connection } from '@temporalio/client';", ['6']],
    ['src/usecases/allocate.ts', 'const rows = await deps.db.$queryRaw`SELECT 1`;', ['7']],
    ['src/api/middleware/auth.ts', 'await db.$executeRaw`DELETE FROM x`;', ['7']],
    ['activities/orders.ts', 'await db.$transaction(async (tx) => tx.endpoint.update({ where, data }));', ['7']],
    ['src/usecases/allocate.ts', 'const q = Prisma.sql`SELECT 1`;', ['7']],
    ['src/api/routes/x.ts', 'const e = await db.endpoint.findMany({});', ['7']],
    ['workers/main.ts', 'await tx.providerOrder.create({ data });', ['7']],
    ['scripts/faults.ts', 'const n = await this.db.endpointHistory\n  .count();', ['7']],
    ['src/cli/commands/report.ts', 'const g = await (deps.db as Db).endpoint.groupBy({ by });', ['7']],
  ];

  for (const [file, text, rules] of bad) {
    it(`catches ${file}: ${text.replace(/\s+/g, ' ')}`, () => {
      assert.deepEqual(rulesHit(file, text), rules, check(file, text).join('\n'));
    });
  }

  const good: [string, string][] = [
    [route, "import { Router } from 'express';\nimport type { UseCases } from '../../usecases';\nimport { z } from 'zod';"],
    [route, "import { NotFound } from '../../domain/errors';\n// not an import: '../../db/client'"],
    [
      'src/domain/rules.ts',
      "import { parsePhoneNumber } from 'libphonenumber-js/max';\nimport { createHash } from 'node:crypto';\nimport { Caller } from './access';",
    ],
    [
      'workflows/x.workflow.ts',
      "import { proxyActivities } from '@temporalio/workflow';\nimport { ApplicationFailure } from '@temporalio/common';\nimport { lock } from './lock';",
    ],
    [
      'workflows/x.workflow.ts',
      "import type { Activities } from '../activities';\nimport type { Capabilities } from '../src/domain/endpoint';\nimport type { Duration } from '@temporalio/common';",
    ],
    [
      'src/usecases/allocate.ts',
      "import { claim } from '../db/endpoints';\nimport { TemporalGateway } from '../temporal/gateway';\nimport { NotFound } from '../domain/errors';",
    ],
    [
      'src/db/endpoints.ts',
      "import { Prisma } from './generated/client';\nconst rows = await db.$queryRaw`SELECT 1`;\nawait db.$transaction(async (tx) => tx.endpoint.update({}));",
    ],
    ['src/db/orders.ts', "import type { Capabilities } from '../domain/endpoint';"],
    ['src/temporal/gateway.ts', "import { Client, Connection } from '@temporalio/client';"],
    ['workers/worker.ts', "import { Client } from '@temporalio/client';"],
    ['scripts/lib/stack.ts', "import { Connection } from '@temporalio/client';\nawait db.$executeRaw`SELECT 1`;"],
    ['activities/index.ts', "import type { Client } from '@temporalio/client';"],
    ['src/usecases/ingest.ts', "import type { Client } from '@temporalio/client';"],
    ['src/usecases/reconcile.ts', "import { type Client } from '@temporalio/client';"],
    [
      'src/usecases/allocate.ts',
      'const r = await repo.endpoint.findMany();\nconst s = db.endpoints.map((e) => e);\nconst t = `db.endpoint.findMany(`;\n// db.$queryRaw',
    ],
  ];

  for (const [file, text] of good) {
    it(`passes ${file}: ${text.split('\n')[0]}`, () => {
      assert.deepEqual(check(file, text), []);
    });
  }
});
