// Prints c8's coverage per folder: each top-level folder (src, activities, workflows,
// workers), each src/* subfolder, and the total. Reads the json-summary report that
// `npm test` (c8 over mocha) leaves in .ei/coverage/coverage-summary.json.
// usage: tsx scripts/coverage-summary.ts [path/to/coverage-summary.json]
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const ROOT = join(__dirname, '..');
const METRICS = ['lines', 'statements', 'branches', 'functions'] as const;
type Metric = (typeof METRICS)[number];

interface Count {
  total: number;
  covered: number;
}
type FileSummary = Record<Metric, Count>;

/** the rows a file counts in: its top-level folder, and for src/ its subfolder (or src/*.ts) */
export function foldersOf(file: string): string[] {
  const parts = file.split('/');
  const top = parts[0]!;
  if (top !== 'src') return [top];
  return ['src', parts.length > 2 ? `src/${parts[1]}` : 'src/*.ts'];
}

function pct(c: Count): string {
  return c.total === 0 ? '-' : ((100 * c.covered) / c.total).toFixed(1);
}

export function table(summary: Record<string, FileSummary>, root: string): string {
  const rows = new Map<string, { files: number } & Record<Metric, Count>>();
  const empty = () => ({ files: 0, ...Object.fromEntries(METRICS.map((m) => [m, { total: 0, covered: 0 }])) }) as { files: number } & Record<Metric, Count>;
  for (const [path, s] of Object.entries(summary)) {
    if (path === 'total') continue;
    const file = relative(root, path).split(sep).join('/');
    for (const folder of [...foldersOf(file), 'total']) {
      let row = rows.get(folder);
      if (!row) rows.set(folder, (row = empty()));
      row.files++;
      for (const m of METRICS) {
        row[m].total += s[m].total;
        row[m].covered += s[m].covered;
      }
    }
  }
  // top-level folders, each src/* right under src, the total last
  const order = [...rows.keys()]
    .filter((k) => k !== 'total')
    .sort((a, b) => {
      const [ta, tb] = [a.split('/')[0]!, b.split('/')[0]!];
      if (ta !== tb) return ta === 'src' ? -1 : tb === 'src' ? 1 : ta.localeCompare(tb);
      return a === ta ? -1 : b === tb ? 1 : a.localeCompare(b);
    });
  const head = ['folder', 'files', ...METRICS.map((m) => `${m} %`)];
  const body = [...order, 'total'].map((k) => {
    const r = rows.get(k)!;
    const name = k.startsWith('src/') ? `  ${k}` : k;
    return [name, String(r.files), ...METRICS.map((m) => pct(r[m]))];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function main(): number {
  const file = process.argv[2] ?? join(ROOT, '.ei', 'coverage', 'coverage-summary.json');
  if (!existsSync(file)) {
    console.error(`[coverage] no ${relative(ROOT, file)}: run \`npm test\` first`);
    return 1;
  }
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Record<string, FileSummary>;
  console.log(`[coverage] per folder (c8, ${relative(ROOT, file)}; files no test loaded count as 0 %)`);
  console.log(table(summary, ROOT));
  return 0;
}

if (require.main === module) process.exitCode = main();
