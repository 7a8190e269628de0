// Arrow IPC answers: build an apache-arrow Table straight from DuckDB's result chunks and serialise it as
// an IPC stream. Numbers, booleans and text are copied from the chunks' buffers into whole-column typed
// arrays (validity bitmaps copied as bytes: DuckDB's and Arrow's bit order are the same), so no cell
// becomes a JS value on the way (bench/README.md: 100k rows went from 3.7 s to well under a second).
// The decoded values are those of the JSON answer (rows.ts): BIGINT/DECIMAL/DOUBLE as Float64, small
// integers as Int32, DATE as 'YYYY-MM-DD' text, TIMESTAMP as ISO text; other types go through the plain
// values of rows.ts, one whole column at a time.
// The encoders are in arrow-columns.ts (numbers, booleans, dates, ENUM; the table), arrow-text.ts and
// arrow-dictionary.ts (text), arrow-chunks.ts (buffers and validity from the chunks); this module answers.
import { RecordBatchStreamWriter, tableToIPC } from 'apache-arrow';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReadResult } from './rows.ts';
import { toArrowTable } from './arrow-columns.ts';

export { arrowType, toArrowTable } from './arrow-columns.ts';
export { utf8FromValues } from './arrow-text.ts';

export const ARROW_MIME = 'application/vnd.apache.arrow.stream';

/** True when the client asked for Arrow (`Accept: application/vnd.apache.arrow.stream`). */
export function wantsArrow(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.split(',').some((part) => part.trim().split(';')[0].toLowerCase() === ARROW_MIME);
}

export function toArrowIPC(result: ReadResult): Uint8Array {
  return tableToIPC(toArrowTable(result), 'stream');
}

/** An Arrow IPC stream as the writer's pieces (message headers, padding, the columns' own buffers), not joined. */
export interface ArrowBytes {
  chunks: readonly Uint8Array[];
  byteLength: number;
  /** Bytes of the ArrayBuffers the pieces keep alive (what a cache of this answer holds). */
  retainedBytes: number;
  /** Headers that go with the answer (e.g. x-total-count of a list). */
  headers?: Record<string, string>;
}

/**
 * The IPC stream of the rows without joining it into one buffer: tableToIPC copies every column once
 * more into a fresh buffer of the answer's size, and on this kind of machine fresh memory is what costs
 * (bench/README.md). The pieces are the vectors' own buffers.
 */
export async function toArrowBytes(result: ReadResult): Promise<ArrowBytes> {
  const writer = RecordBatchStreamWriter.writeAll(toArrowTable(result));
  const chunks: Uint8Array[] = [];
  let byteLength = 0;
  for await (const chunk of writer) {
    chunks.push(chunk);
    byteLength += chunk.byteLength;
  }
  let retainedBytes = 0;
  for (const buffer of new Set(chunks.map((c) => c.buffer))) retainedBytes += buffer.byteLength;
  return { chunks, byteLength, retainedBytes };
}

/** Send IPC pieces: small answers as one Buffer, large ones streamed piece by piece with their length. */
export function sendArrowBytes(reply: FastifyReply, bytes: ArrowBytes, extraHeaders: Record<string, string> = bytes.headers ?? {}) {
  reply.header('content-type', ARROW_MIME);
  for (const [k, v] of Object.entries(extraHeaders)) reply.header(k, v);
  if (bytes.byteLength <= 64 * 1024) return reply.send(Buffer.concat(bytes.chunks as Uint8Array[], bytes.byteLength));
  reply.header('content-length', String(bytes.byteLength));
  return reply.send(Readable.from(bytes.chunks, { objectMode: false }));
}

/** Send the rows as an Arrow IPC stream. */
export async function sendArrow(reply: FastifyReply, result: ReadResult, extraHeaders: Record<string, string> = {}) {
  return sendArrowBytes(reply, await toArrowBytes(result), extraHeaders);
}
