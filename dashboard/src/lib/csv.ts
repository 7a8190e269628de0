// CSV for every exported table: RFC 4180 quoting, and cells that a spreadsheet would run as a formula
// (starting with = + - @, or a tab / carriage return) neutralised with a leading single quote.

export interface CsvColumn {
  key: string;
  label?: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell as CSV text. Numbers are written as is (a negative number is data, not a formula). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (value instanceof Date) text = value.toISOString();
  else if (Array.isArray(value)) text = value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))).join('; ');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else {
    text = String(value);
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The rows as a CSV document with a header line, CRLF line ends. */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly CsvColumn[]): string {
  const lines = [columns.map((c) => csvCell(c.label ?? c.key)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c.key])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A safe file name for a download: letters, digits, dash, underscore, dot. */
export function csvFileName(name: string): string {
  const stem = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'export';
  return stem.endsWith('.csv') ? stem : `${stem}.csv`;
}

/** Start a browser download of `blob` named `name` (as csvFileName makes it). */
function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = csvFileName(name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Start a browser download of the CSV. */
export function downloadCsv(name: string, rows: readonly Record<string, unknown>[], columns: readonly CsvColumn[]): void {
  download(name, new Blob(['\ufeff', toCsv(rows, columns)], { type: 'text/csv;charset=utf-8' }));
}

/** Start a browser download of a server's CSV exactly as sent (no byte-order mark: it is a file to import). */
export function downloadText(fileName: string, text: string): void {
  download(fileName, new Blob([text], { type: 'text/csv;charset=utf-8' }));
}
