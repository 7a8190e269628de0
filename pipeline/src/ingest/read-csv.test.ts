// Reading CSV through loadFiles: exact physical line numbers and read-level rejects.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './test-helpers.ts';

let h: Harness;
beforeEach(async () => { h = await harness(); });
afterEach(() => h.close());

const EOL_CASES = [['LF', '\n'], ['CRLF', '\r\n']] as const;

describe('CSV reading: physical lines', () => {
  it.each(EOL_CASES)('BOM, %s, quoted newlines, blank and whitespace lines, wrong field counts', async (_name, eol) => {
    const lines = [
      '\uFEFFRole_ID , Title,job_family,LEVEL,Extra', // 1: header (BOM, case, spaces, an unknown column)
      'ENG-1,"Engineer', 'One",Engineering,1,x', // 2-3
      '', // 4
      '   ', // 5
      'ENG-2,Eng 2,Engineering,2,x,y', // 6: too many fields
      'ENG-3,"Three ""quoted""",Engineering,13,x', // 7: level out of range
      'ENG-4,Eng4,Engineering', // 8: too few fields
      'ENG-5,"multi', 'line', 'title",Engineering,x5,x', // 9-11: level not a whole number
      'ENG-6,ok,Engineering,6,', // 12: fine
      'ENG-7,ok,Engineering,7,x,', // 13: a trailing comma is one field too many
      'ENG-8,ok,Engineering,x8,z', // 14: no final newline
    ];
    const f = h.write('roles.csv', lines.join(eol));
    const [res] = await h.load([f]);
    expect(res).toMatchObject({ status: 'loaded', rowsRead: 8, rowsLoaded: 2, rowsRejected: 6, rowsWarned: 0 });
    expect(await h.rejects()).toEqual([
      { line: 6, column: null, value: 'ENG-2,Eng 2,Engineering,2,x,y', reason: 'the row has 6 fields, the header has 5: a quote or separator is probably missing', severity: 'reject' },
      { line: 7, column: 'level', value: '13', reason: 'level "13" is out of range (1 to 12)', severity: 'reject' },
      { line: 8, column: null, value: 'ENG-4,Eng4,Engineering', reason: 'the row has 3 fields, the header has 5: a quote or separator is probably missing', severity: 'reject' },
      { line: 9, column: 'level', value: 'x5', reason: 'level "x5" is not a whole number (digits only)', severity: 'reject' },
      { line: 13, column: null, value: null, reason: 'the row has 6 fields, the header has 5: a quote or separator is probably missing', severity: 'reject' },
      { line: 14, column: 'level', value: 'x8', reason: 'level "x8" is not a whole number (digits only)', severity: 'reject' },
    ]);
    expect(await h.rows('select role_id, title, _line from src_roles order by _line')).toEqual([
      { role_id: 'ENG-1', title: `Engineer${eol}One`, _line: 2 },
      { role_id: 'ENG-6', title: 'ok', _line: 12 },
    ]);
  });

  it('the example from the issue: a record after a quoted newline and a blank line', async () => {
    const f = h.write('skills.csv', 'skill_id,name\n1,x\n\n2,"y\nz"\n3,w,extra\n4,v\n');
    await h.load([f]);
    expect((await h.rejects()).map((r) => [r.line, r.reason])).toEqual([[6, 'the row has 3 fields, the header has 2: a quote or separator is probably missing']]);
    expect(await h.rows('select skill_id, _line from src_skills order by _line')).toEqual([
      { skill_id: '1', _line: 2 }, { skill_id: '2', _line: 4 }, { skill_id: '4', _line: 7 },
    ]);
  });

  it('rejects a broken quote and invalid UTF-8 on their own line', async () => {
    const f = h.write('skills.csv', Buffer.concat([
      Buffer.from('skill_id,name\nS1,"a"b\nS2,ok\nS3,'), Buffer.from([0xff, 0xfe]), Buffer.from('\nS4,"multi\nline"\nS5,x\n'),
    ]));
    const [res] = await h.load([f]);
    expect(res).toMatchObject({ status: 'loaded', rowsLoaded: 3, rowsRejected: 2 });
    expect((await h.rejects()).map((r) => [r.line, r.column, r.reason])).toEqual([
      [2, null, 'a quoted field is not closed properly (inside quotes, write a quote as "")'],
      [4, null, 'the row is not valid UTF-8 text; save the file as UTF-8'],
    ]);
    expect(await h.rows('select skill_id, _line from src_skills order by _line')).toEqual([
      { skill_id: 'S2', _line: 3 }, { skill_id: 'S4', _line: 5 }, { skill_id: 'S5', _line: 7 },
    ]);
  });

  it('reads a clean file of a few thousand rows with quoted newlines at DuckDB speed and exact lines', async () => {
    const rows = ['skill_id,name,category'];
    const expected: [string, number][] = [];
    let line = 2;
    for (let i = 0; i < 5000; i++) {
      const name = i % 97 === 0 ? `"n${i}\nsecond"` : `n${i}`;
      rows.push(`S${i},${name},c`);
      expected.push([`S${i}`, line]);
      line += i % 97 === 0 ? 2 : 1;
      if (i % 1000 === 5) { rows.push(''); line++; }
    }
    await h.load([h.write('skills.csv', rows.join('\n'))]);
    const got = await h.rows<{ skill_id: string; _line: number }>('select skill_id, _line from src_skills order by _line');
    expect(got.map((r) => [r.skill_id, r._line])).toEqual(expected);
  });
});
