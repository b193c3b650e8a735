// ESLint (flat config): typescript-eslint's type-aware rules over every TypeScript file the
// type check sees (tsconfig.json), plus Temporal's advice for workflow code. `npm run lint`
// runs it cached with zero warnings allowed; `npm test` runs it too. A finding is fixed, or
// disabled on its line with `// eslint-disable-next-line <rule> -- <reason>`.
//
// The layer rules (route → use case → repository/gateway → domain) are test/unit/layers.test.ts;
// the workflow import rule below is its rule 3 again, so the two agree by construction.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);

const WORKFLOW_SANDBOX = 'workflow code runs in the deterministic sandbox and must replay';
const NAMED_PACKAGES = ['pg', '@temporalio/client', '@temporalio/activity', '@temporalio/worker', '@temporalio/testing'];
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
// any other package (what NODE_BUILTINS, NAMED_PACKAGES and @prisma/* name get their own message)
const OTHER_PACKAGES = `^(?![./]|@prisma/|@temporalio/(?:workflow|common)$|(?:${[...NODE_BUILTINS, ...NAMED_PACKAGES].map(escape).join('|')})$)`;

export default defineConfig(
  {
    ignores: ['src/db/generated/**', '**/node_modules/**', '.ei/**', 'bench/results/**', 'coverage/**', 'dist/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error', reportUnusedInlineConfigs: 'error' },
  },

  // ---------------------------------------------------------------- TypeScript, type-aware
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // a forgotten await on a Temporal call (signal, executeUpdate, start) or a query is a real bug
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true, ignoreIIFE: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }],
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: 'only-allowed-literals' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // from strictTypeChecked, the ones that find mistakes rather than style (its template-literal
      // and non-null-assertion rules would fight noUncheckedIndexedAccess on hundreds of lines)
      '@typescript-eslint/no-meaningless-void-operator': 'error', // `void` is kept for fire-and-forget promises
      '@typescript-eslint/no-misused-spread': 'error',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'error',
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'error',
      '@typescript-eslint/no-unnecessary-template-expression': 'error',
      '@typescript-eslint/no-unnecessary-type-conversion': 'error',
    },
  },

  // ---------------------------------------------------------------- workflows: Temporal's sandbox
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // Temporal: no Node built-ins in workflow code. Layer rule 3: at run time only @temporalio/workflow,
      // @temporalio/common and ./siblings; types also from ../activities and ../src/domain. The core rule
      // sees every import, type-only ones too; typescript-eslint's sees run-time ones only.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...NODE_BUILTINS.map((name) => ({ name, message: `no Node built-ins: ${WORKFLOW_SANDBOX}` })),
            ...NAMED_PACKAGES.map((name) => ({ name, message: `${name} does not belong in workflow code: ${WORKFLOW_SANDBOX}` })),
          ],
          patterns: [
            { group: ['@prisma/*'], message: `no database access: ${WORKFLOW_SANDBOX}; use an activity` },
            { regex: OTHER_PACKAGES, message: 'workflows import only @temporalio/workflow and @temporalio/common (layer rule 3)' },
            {
              regex: '^\\.\\./(?!activities(?:/|$)|src/domain/)',
              message: 'workflow types come only from ./siblings, ../activities and ../src/domain (layer rule 3)',
            },
            { regex: '^\\./.+/', message: 'workflows/ is one folder: ./siblings only (layer rule 3)' },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?:activities(?:/|$)|src/domain/)', // the rest: the core rule above
              allowTypeImports: true,
              message: `only types come from ../activities and ../src/domain: ${WORKFLOW_SANDBOX} (layer rule 3)`,
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'require', '__dirname', '__filename', 'Buffer'].map((name) => ({
          name,
          message: `no Node.js environment in workflows: ${WORKFLOW_SANDBOX}`,
        })),
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask'].map((name) => ({
          name,
          message: 'no raw timers in workflows: use sleep() or condition() from @temporalio/workflow',
        })),
        ...['fetch', 'WeakRef', 'FinalizationRegistry', 'performance', 'crypto'].map((name) => ({
          name,
          message: `not deterministic: ${WORKFLOW_SANDBOX} (I/O belongs in an activity; ids from uuid4())`,
        })),
        { name: 'console', message: 'use log from @temporalio/workflow: it is replay-aware' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: `no dynamic import(): ${WORKFLOW_SANDBOX}` },
        { selector: "MemberExpression[object.name='globalThis']", message: `no globalThis: ${WORKFLOW_SANDBOX}` },
      ],
    },
  },

  // ---------------------------------------------------------------- plain JavaScript
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
  },
  {
    files: ['*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    // the dashboard's browser script: ES5, no build step
    files: ['src/api/dashboard/**/*.js'],
    languageOptions: {
      ecmaVersion: 5,
      sourceType: 'script',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'sessionStorage', 'fetch', 'setTimeout', 'clearTimeout', 'URLSearchParams', 'console'].map((g) => [g, 'readonly']),
      ),
    },
  },
);
