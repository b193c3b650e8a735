// CSV as operators' spreadsheets write it (RFC 4180: comma separated, fields
// quoted with "…", "" for a quote inside one, CRLF or LF line ends, a quoted
// field may span lines). One malformed record must not cost the rest of the
// file: it is reported with the line it starts on, and reading resumes on the
// next physical line — so a stray quote that swallowed the lines after it
// gives those lines back.

export interface CsvRecord {
  /** 1-based physical line the record starts on */
  line: number;
  /** the record's first physical line as written, for reports */
  raw: string;
  fields: string[];
}

export interface CsvError {
  line: number;
  raw: string;
  reason: string;
}

export interface CsvParse {
  records: CsvRecord[];
  errors: CsvError[];
}

/** Splits `text` into records; blank lines are skipped. */
export function parseCsv(text: string): CsvParse {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a spreadsheet's byte-order mark
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const physical = (line: number): string => {
    const start = lineStarts[line - 1] ?? text.length;
    const end = lineStarts[line] === undefined ? text.length : lineStarts[line] - 1;
    return text.slice(start, end).replace(/\r$/, '');
  };

  const records: CsvRecord[] = [];
  const errors: CsvError[] = [];
  let line = 1;
  while (line <= lineStarts.length) {
    const start = lineStarts[line - 1]!;
    if (start >= text.length) break;
    const result = readRecord(text, start);
    if ('reason' in result) {
      errors.push({ line, raw: physical(line), reason: result.reason });
      line += 1; // resume on the next physical line, whatever the bad record swallowed
      continue;
    }
    const blank = result.fields.length === 1 && result.fields[0]!.trim() === '' && !result.quoted;
    if (!blank) records.push({ line, raw: physical(line), fields: result.fields });
    line += result.lines;
  }
  return { records, errors };
}

type ReadResult = { fields: string[]; lines: number; quoted: boolean } | { reason: string };

/** Reads one record from `pos` (the start of a physical line). */
function readRecord(text: string, pos: number): ReadResult {
  const fields: string[] = [];
  let lines = 1;
  let quoted = false;
  for (;;) {
    // one field
    if (text[pos] === '"') {
      quoted = true;
      let value = '';
      pos++;
      for (;;) {
        if (pos >= text.length) return { reason: 'a quoted field is not closed (missing ")' };
        const c = text[pos]!;
        if (c === '"') {
          if (text[pos + 1] === '"') {
            value += '"';
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        if (c === '\n') lines++;
        value += c;
        pos++;
      }
      fields.push(value);
      const next = text[pos];
      if (next === ',') {
        pos++;
        continue;
      }
      if (next === undefined) return { fields, lines, quoted };
      if (next === '\n' || (next === '\r' && text[pos + 1] === '\n')) return { fields, lines, quoted };
      // a record that ran over lines before failing: most likely a quote opened and never closed on its line
      if (lines > 1) return { reason: 'a quoted field is not closed on its line (missing ")' };
      return { reason: `unexpected ${JSON.stringify(next)} after the closing quote of field ${fields.length}` };
    }
    let end = pos;
    while (end < text.length && text[end] !== ',' && text[end] !== '\n') end++;
    let value = text.slice(pos, end);
    if (text[end] !== ',' && value.endsWith('\r')) value = value.slice(0, -1);
    if (value.includes('"')) return { reason: `a quote inside unquoted field ${fields.length + 1} (quote the whole field and double the quote: "a""b")` };
    fields.push(value);
    if (text[end] === ',') {
      pos = end + 1;
      continue;
    }
    return { fields, lines, quoted };
  }
}

/** One CSV line (no line end), quoting only where needed. */
export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return fields
    .map((f) => {
      const s = f === null || f === undefined ? '' : String(f);
      return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}
