// The endpoint CSV the CLI imports and exports. `export` writes what `import`
// reads back: address, the four capability flags and the monthly cost, then
// columns that describe the endpoint as it is here (state, kind, …), which an
// import ignores. A row is checked on its own and either becomes an ingest
// item or a reason tied to its line; the good rows are never held back by the
// bad ones.
import { parseCsv, csvLine, type CsvError } from './csv';
import { tryParseAddress } from '../domain/numbers';
import type { IngestItem } from '../usecases/ingest';
import type { ExportRow } from '../db/exports';
import type { Capabilities } from '../domain/endpoint';

const CAPABILITIES = ['voice', 'sms', 'mms', 'fax'] as const satisfies readonly (keyof Capabilities)[];

/** What an import reads. */
export const IMPORT_COLUMNS = ['address', ...CAPABILITIES, 'monthly_cost_cents'] as const;
/** What an export adds after IMPORT_COLUMNS; an import accepts and ignores them. */
export const DESCRIPTIVE_COLUMNS = ['state', 'kind', 'country', 'npa', 'provider', 'account'] as const;
export const EXPORT_COLUMNS = [...IMPORT_COLUMNS, ...DESCRIPTIVE_COLUMNS] as const;

const ALIASES: Record<string, string> = {
  number: 'address',
  voice_capable: 'voice',
  sms_capable: 'sms',
  mms_capable: 'mms',
  fax_capable: 'fax',
  monthly_cost: 'monthly_cost_cents',
};

export interface RowProblem {
  line: number;
  input: string;
  reason: string;
}

export interface GoodRow {
  line: number;
  /** canonical address */
  address: string;
  item: IngestItem;
}

export interface EndpointCsv {
  rows: GoodRow[];
  problems: RowProblem[];
  /** records in the file, the header excluded */
  total: number;
}

/** The file as a whole cannot be read as an endpoint CSV (its header). */
export class CsvHeaderError extends Error {}

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

export function readEndpointCsv(text: string, opts: { defaultCountry?: string } = {}): EndpointCsv {
  const { records, errors } = parseCsv(text);
  const header = records[0];
  const headerError = errors.find((e) => !header || e.line < header.line);
  if (headerError) throw new CsvHeaderError(`line ${headerError.line}: the header is malformed: ${headerError.reason}`);
  if (!header) throw new CsvHeaderError('the file is empty: the first line must be a header naming the columns, at least "address"');

  const names = header.fields.map((f) => {
    const n = f
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    return ALIASES[n] ?? n;
  });
  const known = new Set<string>([...IMPORT_COLUMNS, ...DESCRIPTIVE_COLUMNS]);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new CsvHeaderError(
      `line ${header.line}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')} (columns: ${IMPORT_COLUMNS.join(', ')}; ignored: ${DESCRIPTIVE_COLUMNS.join(', ')})`,
    );
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new CsvHeaderError(`line ${header.line}: column "${twice}" appears twice`);
  if (!names.includes('address'))
    throw new CsvHeaderError(`line ${header.line}: no "address" column (the header names the columns: ${IMPORT_COLUMNS.join(', ')})`);
  const col = (name: string) => names.indexOf(name);

  const problems: RowProblem[] = errors.map((e: CsvError) => ({ line: e.line, input: e.raw, reason: e.reason }));
  const rows: GoodRow[] = [];
  const seen = new Map<string, number>();
  for (const r of records.slice(1)) {
    const bad = (reason: string) => problems.push({ line: r.line, input: r.raw, reason });
    if (r.fields.length !== names.length) {
      bad(`${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, the header has ${names.length}`);
      continue;
    }
    const cell = (name: string): string => (col(name) < 0 ? '' : r.fields[col(name)]!.trim());
    const parsed = tryParseAddress(cell('address'), { defaultCountry: opts.defaultCountry });
    if (!parsed.ok) {
      bad(`address: ${parsed.reason}`);
      continue;
    }
    const capable: Partial<Capabilities> = {};
    let flagProblem: string | null = null;
    for (const c of CAPABILITIES) {
      const v = cell(c).toLowerCase();
      if (v === '') continue;
      if (TRUE.has(v)) capable[c] = true;
      else if (FALSE.has(v)) capable[c] = false;
      else {
        flagProblem = `${c}: ${JSON.stringify(cell(c))} is not a flag (true/false, yes/no, 1/0, or empty)`;
        break;
      }
    }
    if (flagProblem) {
      bad(flagProblem);
      continue;
    }
    const costText = cell('monthly_cost_cents');
    let monthlyCostCents: number | undefined;
    if (costText !== '') {
      if (!/^\d{1,9}$/.test(costText)) {
        bad(`monthly_cost_cents: ${JSON.stringify(costText)} is not a whole number of cents (0 to 999999999)`);
        continue;
      }
      monthlyCostCents = Number(costText);
    }
    const address = parsed.value.address;
    const first = seen.get(address);
    if (first !== undefined) {
      bad(`duplicate of line ${first} (${address})`);
      continue;
    }
    seen.set(address, r.line);
    rows.push({
      line: r.line,
      address,
      item: {
        address,
        ...(Object.keys(capable).length ? { capable } : {}),
        ...(monthlyCostCents !== undefined ? { monthlyCostCents } : {}),
      },
    });
  }
  problems.sort((a, b) => a.line - b.line);
  return { rows, problems, total: records.length - 1 + errors.length };
}

/** An endpoint as an export row (src/db/exports.ts reads them). */
export type { ExportRow };

export const exportHeader = (): string => csvLine(EXPORT_COLUMNS);

export function exportLine(r: ExportRow): string {
  return csvLine([
    r.address,
    r.voiceCapable,
    r.smsCapable,
    r.mmsCapable,
    r.faxCapable,
    r.monthlyCostCents,
    r.state,
    r.kind,
    r.country?.trim() ?? '',
    r.npa,
    r.providerId,
    r.accountId,
  ]);
}
