// A writable stream that keeps what is written: the stdout/stderr of CLI commands under test, as text
// or as bytes (an export written to stdout).
import { Writable } from 'node:stream';

export class TextSink extends Writable {
  chunks: Buffer[] = [];
  _write(chunk: Buffer, _enc: string, cb: () => void) { this.chunks.push(Buffer.from(chunk)); cb(); }
  get text() { return Buffer.concat(this.chunks).toString('utf8'); }
  get bytes() { return Buffer.concat(this.chunks); }
}
