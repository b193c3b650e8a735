// Plain-text output helpers: aligned tables and short human durations.

/** Columns aligned with two spaces between them; numbers right-aligned. */
export function table(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => cells.length > 0 && cells.every((r) => r[i] === '' || /^[-+]?[\d.,]+(\s*[a-z/%]+)?$/.test(r[i]!)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

/** 90 → "1.5 min", 200000 → "2.3 d", 0 → "now"; null → "—". */
export function humanSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export const iso = (d: Date | number | null | undefined): string => (d === null || d === undefined ? '' : new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** JSON with bigints as strings (Prisma's BigInt ids). */
export function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}
