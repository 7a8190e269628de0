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
  /** Line breaks outside quotes: CRLF, LF alone, CR alone. DuckDB reads only files that use one of CRLF or LF. */
  breaks: { crlf: number; lf: number; cr: number };
  /** NUL bytes (binary data or UTF-16 text) and the physical line of the first. */
  nul: number;
  firstNulLine: number;
  /** The file's first bytes (up to 4), for byte-order marks. */
  head: Buffer;
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
  prevCr: boolean; // the last byte of the previous chunk was a CR outside quotes
  crlf: number;
  lf: number;
  cr: number;
  nul: number;
  firstNulLine: number;
}

/**
 * Scan one chunk. State lives in locals inside the loop (no closures: this loop runs over every byte).
 * Record 0 is the header: its bytes are collected, its position is not stored.
 */
function scanChunk(st: State, chunk: Buffer, from: number, out: Grow): void {
  let { line, recStart, recLine, fields, nonBlank, inQuotes, quoteInQuotes, fieldStart, records, crlf, lf, cr, nul } = st;
  const offset = st.offset;
  const len = chunk.length;
  for (let i = from; i < len; i++) {
    // Fast path, at the start of a data record: a line of plain bytes (no quote, CR, NUL or other control
    // byte; spaces and tabs allowed) that ends with LF inside this chunk is one record with one field more
    // than it has commas. Anything else is left to the byte-by-byte rules below, from the same byte.
    if (records > 0 && !inQuotes && !nonBlank && recStart === offset + i) {
      let j = i;
      let commas = 0;
      let plain = false;
      for (; j < len; j++) {
        const c = chunk[j];
        if (c > QUOTE) {
          if (c === COMMA) commas++;
          plain = true;
        } else if (c !== SPACE && c !== TAB) break;
      }
      if (plain && j < len && chunk[j] === LF) {
        out.push(recStart, recLine, commas + 1);
        records++;
        line++;
        lf++;
        recStart = offset + j + 1;
        recLine = line;
        i = j;
        continue;
      }
    }
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
        else if (b === 0 && nul++ === 0) st.firstNulLine = line;
        continue;
      }
    }
    if (b > QUOTE && b !== COMMA) {
      nonBlank = true;
      fieldStart = false;
    } else if (b === LF) {
      line++;
      if (i > from ? chunk[i - 1] === CR : st.prevCr) crlf++;
      else lf++;
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
    } else if (b === CR) {
      cr++;
    } else if (b !== SPACE && b !== TAB) {
      if (b === 0 && nul++ === 0) st.firstNulLine = line;
      nonBlank = true;
      fieldStart = false;
    }
  }
  st.prevCr = len > from && chunk[len - 1] === CR && !inQuotes;
  Object.assign(st, { line, recStart, recLine, fields, nonBlank, inQuotes, quoteInQuotes, fieldStart, records, crlf, lf, cr, nul });
}

/** Scan a CSV file (comma, double quote, quote doubled as escape; LF or CRLF). */
export async function scanCsv(file: string): Promise<CsvScan> {
  const out = new Grow();
  const st: State = {
    offset: 0, line: 1, recStart: 0, recLine: 1, fields: 1, nonBlank: false, inQuotes: false,
    quoteInQuotes: false, fieldStart: true, records: 0, headerBytes: [], headerLine: 1,
    prevCr: false, crlf: 0, lf: 0, cr: 0, nul: 0, firstNulLine: 0,
  };
  let head = Buffer.alloc(0);
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    if (st.offset === 0) head = Buffer.from(chunk.subarray(0, 4));
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
    // every CR counted was outside quotes; those followed by LF are the CRLFs
    breaks: { crlf: st.crlf, lf: st.lf, cr: st.cr - st.crlf }, nul: st.nul, firstNulLine: st.firstNulLine, head,
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

/** Whether DuckDB can read the file's line breaks as they are: all LF or all CRLF outside quotes. */
export function breaksNeedNormalizing(scan: Pick<CsvScan, 'breaks'>): boolean {
  const { crlf, lf, cr } = scan.breaks;
  return cr > 0 || (crlf > 0 && lf > 0);
}

/**
 * Copy `from` to `to` with every line break outside quotes written as LF (CRLF → LF, a lone CR → LF),
 * streaming. Files that mix LF and CRLF, or use classic-Mac CR breaks, then read like any other; the
 * physical lines of the copy are the lines an editor shows. Quoted fields are copied unchanged.
 */
export async function normalizeLineBreaks(from: string, to: string): Promise<void> {
  const out = fs.createWriteStream(to);
  let inQuotes = false;
  let quoteInQuotes = false;
  let fieldStart = true;
  let pendingCr = false;
  const write = (buf: Buffer) => new Promise<void>((resolve, reject) => {
    if (out.write(buf)) resolve();
    else out.once('drain', resolve).once('error', reject);
  });
  for await (const chunk of fs.createReadStream(from, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const dst = Buffer.allocUnsafe(chunk.length + 1);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (pendingCr) {
        pendingCr = false;
        dst[n++] = LF; // a CR outside quotes ends the line, whether an LF follows or not
        if (b === LF) continue;
      }
      if (inQuotes) {
        if (quoteInQuotes) {
          quoteInQuotes = false;
          if (b === QUOTE) { dst[n++] = b; continue; }
          inQuotes = false;
        } else {
          if (b === QUOTE) quoteInQuotes = true;
          dst[n++] = b;
          continue;
        }
      }
      if (b === CR) { pendingCr = true; fieldStart = true; continue; }
      if (b === QUOTE && fieldStart) inQuotes = true;
      fieldStart = b === COMMA || b === LF || ((b === SPACE || b === TAB) && fieldStart);
      dst[n++] = b;
    }
    await write(dst.subarray(0, n));
  }
  if (pendingCr) await write(Buffer.from([LF]));
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
