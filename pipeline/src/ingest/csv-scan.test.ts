import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { breaksNeedNormalizing, normalizeLineBreaks, recordAt, scanCsv, splitHeader } from './csv-scan.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-scan-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
async function scan(content: string | Buffer) {
  const file = path.join(dir, `f${++n}.csv`);
  fs.writeFileSync(file, content);
  const s = await scanCsv(file);
  return { header: s.header, headerLine: s.headerLine, lines: [...s.lines], fields: [...s.fields], starts: [...s.starts], scan: s };
}

describe('scanCsv', () => {
  it.each([
    ['LF with a quoted newline, a blank line and a long row',
      'a,b\n1,x\n\n2,"y\nz"\n3,w,extra\n4,v\n', [2, 4, 6, 7], [2, 2, 3, 2]],
    ['CRLF', 'a,b\r\n1,x\r\n\r\n2,"y\r\nz"\r\n3,w\r\n', [2, 4, 6], [2, 2, 2]],
    ['BOM and whitespace-only lines', '\uFEFFa,b\n  \n\t\n1,x\n', [4], [2]],
    ['no final newline', 'a,b\n1,x\n2,y', [2, 3], [2, 2]],
    ['escaped quotes and commas inside quotes', 'a,b\n"1,""q""\n",x\n2,y\n', [2, 4], [2, 2]],
    ['a line of commas is a row', 'a,b,c\n,,\n', [2], [3]],
    ['a quote inside an unquoted field is literal', 'a,b\n1,ab"c\n2,x\n', [2, 3], [2, 2]],
    ['an unclosed quote runs to the end', 'a,b\n1,"open\n2,x\n', [2], [2]],
  ])('%s', async (_name, content, lines, fields) => {
    const s = await scan(content);
    expect(s.lines).toEqual(lines);
    expect(s.fields).toEqual(fields);
  });

  it('reads the header (BOM removed, quotes undone, CR dropped) and maps byte positions to records', async () => {
    const s = await scan('\uFEFF"Employee ID", Name ,"a""b"\r\nE1,x,y\r\nE2,z,w\r\n');
    expect(s.header).toEqual(['Employee ID', ' Name ', 'a"b']);
    expect(s.headerLine).toBe(1);
    expect(s.starts).toEqual([32, 40]); // 3 BOM bytes + 27 header bytes + CRLF
    expect([recordAt(s.scan, 31), recordAt(s.scan, 32), recordAt(s.scan, 33), recordAt(s.scan, 40)]).toEqual([-1, 0, 0, 1]);
  });

  it('reports an empty file as having no header, and a header after blank lines by its line', async () => {
    expect((await scan('')).header).toBeNull();
    const s = await scan('\n\na,b\n1,2\n');
    expect([s.header, s.headerLine, s.lines]).toEqual([['a', 'b'], 3, [4]]);
  });

  it('splitHeader keeps empty names and trailing fields', () => {
    expect(splitHeader(Buffer.from('a,,b,'))).toEqual(['a', '', 'b', '']);
  });
});

describe('scanCsv: line breaks, NUL bytes and normalizing', () => {
  it.each([
    ['LF', 'a,b\n1,"x\r\ny"\n', { crlf: 0, lf: 2, cr: 0 }, false],
    ['CRLF', 'a,b\r\n1,x\r\n', { crlf: 2, lf: 0, cr: 0 }, false],
    ['mixed', 'a,b\r\n1,x\n2,y\r\n', { crlf: 2, lf: 1, cr: 0 }, true],
    ['CR only', 'a,b\r1,x\r', { crlf: 0, lf: 0, cr: 2 }, true],
  ])('%s', async (_name, content, breaks, normalize) => {
    const s = await scan(content);
    expect(s.scan.breaks).toEqual(breaks);
    expect(breaksNeedNormalizing(s.scan)).toBe(normalize);
  });

  it('counts NUL bytes and the line of the first', async () => {
    const s = await scan(Buffer.concat([Buffer.from('a,b\n1,x\n2,'), Buffer.from([0]), Buffer.from('y\n')]));
    expect([s.scan.nul, s.scan.firstNulLine]).toEqual([1, 3]);
  });

  it('normalizes CRLF and lone CR outside quotes to LF, leaving quoted text alone', async () => {
    const from = path.join(dir, 'mixed.csv');
    const to = path.join(dir, 'lf.csv');
    fs.writeFileSync(from, 'a,b\r\n1,"x\r\ny"\n2,z\r3,w\r\n');
    await normalizeLineBreaks(from, to);
    expect(fs.readFileSync(to, 'utf8')).toBe('a,b\n1,"x\r\ny"\n2,z\n3,w\n');
    const s = await scanCsv(to);
    expect([...s.lines]).toEqual([2, 4, 5]);
  });
});
