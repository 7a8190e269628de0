// CSV text for exports: RFC 4180 quoting, and text cells starting with = + - @ neutralised with a
// leading ' so a spreadsheet does not run them as formulas.
import type { Cell } from './rows.ts';

const FORMULA_START = /^[=+\-@]/;

export function csvCell(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value;
  else if (typeof value === 'object') {
    text = JSON.stringify(value);
    if (FORMULA_START.test(text)) text = `'${text}`;
  } else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV of column-major data with a header line; lines end with \r\n. */
export function toCsv(columns: string[], data: Cell[][], rowCount: number): string {
  const lines: string[] = [columns.map((c) => csvCell(c)).join(',')];
  for (let r = 0; r < rowCount; r++) lines.push(data.map((col) => csvCell(col[r])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
