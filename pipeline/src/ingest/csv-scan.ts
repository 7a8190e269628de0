// A streaming, quote-aware byte scanner for RFC 4180 CSV. It finds where each record starts (byte and
// 1-based physical line) and how many fields it has, so that DuckDB's fast reader can be paired with
// exact physical line numbers: DuckDB's own reject `line` ignores newlines inside quoted fields.
import fs from 'node:fs';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const MAX_HEADER_BYTES = 1 << 20;

export interface CsvScan {
  /** Header field names as written (BOM removed, not trimmed); null for an empty file. */
  header: string[] | null;
  /** Physical line of the header (1, unless the file is empty). */
  headerLine: number;
  /** Data records after the header, blank and whitespace-only lines excluded. */
  count: number;
  /** Byte offset where each record starts. */
  starts: Float64Array;
  /** 1-based physical line where each record starts. */
  lines: Int32Array;
  /** Number of fields in each record. */
  fields: Int32Array;
}

class Grow {
  starts = new Float64Array(1024);
  lines = new Int32Array(1024);
  fields = new Int32Array(1024);
  n = 0;
  push(start: number, line: number, fields: number): void {
    if (this.n === this.starts.length) {
      const size = this.n * 2;
      const s = new Float64Array(size); s.set(this.starts); this.starts = s;
      const l = new Int32Array(size); l.set(this.lines); this.lines = l;
      const f = new Int32Array(size); f.set(this.fields); this.fields = f;
    }
    this.starts[this.n] = start;
    this.lines[this.n] = line;
    this.fields[this.n] = fields;
    this.n++;
  }
}

/** Scan a CSV file (comma, double quote, quote doubled as escape; LF or CRLF). */
export async function scanCsv(file: string): Promise<CsvScan> {
  const out = new Grow();
  let offset = 0; // byte offset of chunk[0] in the file
  let line = 1; // physical line of the current byte
  let recStart = -1; // byte where the current record starts; -1 between records
  let recLine = 1;
  let fields = 1;
  let nonBlank = false;
  let inQuotes = false;
  let quoteInQuotes = false; // saw `"` inside a quoted field: either an escaped quote or the closing one
  let fieldStart = true;
  let seenHeader = false;
  let header: string[] | null = null;
  let headerLine = 1;
  const headerBytes: number[] = [];

  const endRecord = (): void => {
    if (!seenHeader && !nonBlank) headerBytes.length = 0; // blank lines before the header
    if (recStart >= 0 && nonBlank) {
      if (!seenHeader) {
        seenHeader = true;
        headerLine = recLine;
        header = splitHeader(Buffer.from(headerBytes));
      } else {
        out.push(recStart, recLine, fields);
      }
    }
    recStart = -1;
    fields = 1;
    nonBlank = false;
    fieldStart = true;
    inQuotes = false;
    quoteInQuotes = false;
  };

  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let i = 0;
    if (offset === 0 && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      i = 3;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      if (recStart < 0) {
        recStart = offset + i;
        recLine = line;
      }
      if (!seenHeader && headerBytes.length < MAX_HEADER_BYTES) headerBytes.push(b);
      if (inQuotes) {
        if (quoteInQuotes) {
          quoteInQuotes = false;
          if (b === QUOTE) continue; // "" is an escaped quote
          inQuotes = false; // the previous quote closed the field; fall through to handle b
        } else {
          if (b === QUOTE) quoteInQuotes = true;
          else if (b === LF) line++;
          continue;
        }
      }
      if (b === LF) {
        line++;
        if (!seenHeader) headerBytes.pop();
        endRecord();
      } else if (b === COMMA) {
        fields++;
        nonBlank = true;
        fieldStart = true;
      } else if (b === QUOTE && fieldStart) {
        inQuotes = true;
        nonBlank = true;
        fieldStart = false;
      } else if (b !== SPACE && b !== TAB && b !== CR) {
        nonBlank = true;
        fieldStart = false;
      }
    }
    offset += chunk.length;
  }
  endRecord();
  return {
    header, headerLine, count: out.n,
    starts: out.starts.subarray(0, out.n), lines: out.lines.subarray(0, out.n), fields: out.fields.subarray(0, out.n),
  };
}

/** Split one header record into its field texts (quotes removed, `""` unescaped). */
export function splitHeader(bytes: Buffer): string[] {
  const text = bytes.toString('utf8').replace(/\r$/, '');
  const names: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') inQuotes = false;
      else cur += ch;
    } else if (ch === ',') { names.push(cur); cur = ''; }
    else if (ch === '"' && cur.trim() === '') { cur = ''; inQuotes = true; }
    else cur += ch;
  }
  names.push(cur);
  return names;
}

/** Index of the record containing byte `pos` (the last record starting at or before it); -1 if none. */
export function recordAt(scan: CsvScan, pos: number): number {
  let lo = 0;
  let hi = scan.count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (scan.starts[mid] <= pos) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
