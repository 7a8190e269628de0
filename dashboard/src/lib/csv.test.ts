import { describe, expect, it } from 'vitest';
import { csvCell, csvFileName, toCsv } from './csv.ts';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['=SUM(A1:A2)', "'=SUM(A1:A2)"],
    ['+1 555', "'+1 555"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=a,b', `"'=a,b"`],
    ['line\nbreak', '"line\nbreak"'],
    [null, ''],
    [undefined, ''],
    [-3.5, '-3.5'],
    [0, '0'],
    [true, 'true'],
    [['no_path', 'stalled'], 'no_path; stalled'],
  ] as const)('%j -> %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe('toCsv', () => {
  it('writes a header from labels and one line per row in column order', () => {
    const csv = toCsv(
      [{ id: 'E1', name: '=HYPERLINK("x")', score: 55 }, { id: 'E2', name: 'Ann', score: null }],
      [{ key: 'name', label: 'Name' }, { key: 'id' }, { key: 'score', label: 'Score' }],
    );
    expect(csv.split('\r\n')).toEqual(['Name,id,Score', `"'=HYPERLINK(""x"")",E1,55`, 'Ann,E2,', '']);
  });
});

describe('csvFileName', () => {
  it.each([
    ['Skill gaps', 'skill-gaps.csv'],
    ['../etc/passwd', '..-etc-passwd.csv'],
    ['', 'export.csv'],
    ['rejects.csv', 'rejects.csv'],
  ])('%j -> %j', (input, expected) => expect(csvFileName(input)).toBe(expected));
});
