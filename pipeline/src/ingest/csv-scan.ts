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

interface State {
  offset: number; // byte offset of the chunk's first byte in the file
  line: number; // physical line of the current byte
  recStart: number; // byte where the current record starts
  recLine: number;
  fields: number;
  nonBlank: boolean;
  inQuotes: boolean;
  quoteInQuotes: boolean; // saw `"` inside a quoted field: an escaped quote or the closing one
  fieldStart: boolean;
  records: number; // non-blank records so far, the header included
  headerBytes: number[];
  headerLine: number;
}

/**
 * Scan one chunk. State lives in locals inside the loop (no closures: this loop runs over every byte).
 * Record 0 is the header: its bytes are collected, its position is not stored.
 */
function scanChunk(st: State, chunk: Buffer, from: number, out: Grow): void {
  let { line, recStart, recLine, fields, nonBlank, inQuotes, quoteInQuotes, fieldStart, records } = st;
  const offset = st.offset;
  const len = chunk.length;
  for (let i = from; i < len; i++) {
    const b = chunk[i];
    if (records === 0 && st.headerBytes.length < MAX_HEADER_BYTES) st.headerBytes.push(b);
    if (inQuotes) {
      if (quoteInQuotes) {
        quoteInQuotes = false;
        if (b === QUOTE) continue; // "" is an escaped quote
        inQuotes = false; // the previous quote closed the field; handle b below
      } else {
        if (b === QUOTE) quoteInQuotes = true;
        else if (b === LF) line++;
        continue;
      }
    }
    if (b > QUOTE && b !== COMMA) {
      nonBlank = true;
      fieldStart = false;
    } else if (b === LF) {
      line++;
      if (nonBlank) {
        if (records === 0) {
          st.headerBytes.pop();
          st.headerLine = recLine;
        } else {
          out.push(recStart, recLine, fields);
        }
        records++;
      } else if (records === 0) {
        st.headerBytes.length = 0; // blank lines before the header
      }
      recStart = offset + i + 1;
      recLine = line;
      fields = 1;
      nonBlank = false;
      fieldStart = true;
    } else if (b === COMMA) {
      fields++;
      nonBlank = true;
      fieldStart = true;
    } else if (b === QUOTE) {
      if (fieldStart) inQuotes = true;
      nonBlank = true;
      fieldStart = false;
    } else if (b !== SPACE && b !== TAB && b !== CR) {
      nonBlank = true;
      fieldStart = false;
    }
  }
  Object.assign(st, { line, recStart, recLine, fields, nonBlank, inQuotes, quoteInQuotes, fieldStart, records });
}

/** Scan a CSV file (comma, double quote, quote doubled as escape; LF or CRLF). */
export async function scanCsv(file: string): Promise<CsvScan> {
  const out = new Grow();
  const st: State = {
    offset: 0, line: 1, recStart: 0, recLine: 1, fields: 1, nonBlank: false, inQuotes: false,
    quoteInQuotes: false, fieldStart: true, records: 0, headerBytes: [], headerLine: 1,
  };
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    if (st.offset === 0 && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      from = 3;
      st.recStart = 3;
    }
    scanChunk(st, chunk, from, out);
    st.offset += chunk.length;
  }
  // The last record, when the file does not end with a newline.
  if (st.nonBlank) {
    if (st.records === 0) st.headerLine = st.recLine;
    else out.push(st.recStart, st.recLine, st.fields);
    st.records++;
  }
  return {
    header: st.records > 0 ? splitHeader(Buffer.from(st.headerBytes)) : null,
    headerLine: st.headerLine,
    count: out.n,
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
