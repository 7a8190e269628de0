// `trellis mapping check` on a good and a bad export, and on a bad mapping.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli.ts';
import { TextSink } from '../text-sink.ts';
import { mappingCommand } from './cli.ts';
import { presetsDir, tmpDir, write } from './test-helpers.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await mappingCommand(argv, (s) => { out += `${s}\n`; }, (s) => { err += `${s}\n`; });
  return { code, out, err };
}

const reviewsMapping = path.join(presetsDir, 'performance-reviews.yml');

describe('trellis mapping check', () => {
  it('shows sources and first rows of a good file, exit 0', async () => {
    const r = await run('check', reviewsMapping, path.join(presetsDir, 'samples/review_export_2024.csv'), '--rows', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/== reviews: 11 rows mapped, 11 would load, 0 rejects/);
    expect(r.out).toMatch(/performance\s+← column "Overall Rating" \(map of 7\)/);
    expect(r.out).toMatch(/reviewed_on\s+← column "Submitted At" \(date %Y-%m-%d %H:%M:%S\)/);
    expect(r.out).toMatch(/first 2 rows/);
    expect(r.out).toMatch(/2\s+\| 1002\s+\| 2024-H1/);
    expect(r.out).toMatch(/references to employees are not checked/);
    expect(r.out).toMatch(/OK: every row would load/);
  });

  it('lists every row that would be rejected and why, exit 0 when the rest loads', async () => {
    const dir = tmpDir();
    const file = write(dir, 'review_export_bad.csv', [
      'Review Cycle,Reviewee Employee ID,Reviewee Name,Reviewer Employee ID,Status,Overall Rating,Potential,Submitted At',
      '2024 Mid-Year,1002,Ben,1001,Submitted,Exceeds Expectations,High,2024-07-08 09:12:44',
      '2024 Mid-Year,1003,Chloé,1002,Submitted,Outstanding,High,2024-07-09 16:40:02',
      '2024 Mid-Year,1004,Dev,1003,Submitted,Meets Expectations,Medium,07/10/2024',
      '2024 Mid-Year,,Nobody,1003,Submitted,Meets Expectations,Medium,2024-07-10 11:30:55',
    ].join('\n'));
    const r = await run('check', reviewsMapping, file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/4 rows mapped, 1 would load, 3 rejects/);
    expect(r.out).toMatch(/line 3, performance: .*Outstanding/);
    expect(r.out).toMatch(/line 4, reviewed_on: .*07\/10\/2024/);
    expect(r.out).toMatch(/line 5, employee_id: /);
    expect(r.out).toMatch(/would load, except the rows listed above/);
  });

  it('names the mapping file, dataset and column of a bad mapping, exit 1', async () => {
    const dir = tmpDir();
    const mapping = write(dir, 'bad.yml', `pattern: "review_export*.csv"
datasets:
  reviews:
    columns:
      employee_id: Reviewee Employee ID
      cycle: Review Cycle
      performance: { expr: "(select 5)" }
      reviewed_on: Submitted At
`);
    const r = await run('check', mapping, path.join(presetsDir, 'samples/review_export_2024.csv'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error: .*bad\.yml \(dataset reviews, column performance\): expression "\(select 5\)" refused: subqueries are not allowed/);
  });

  it('warns when the file name does not match the pattern, and explains usage errors', async () => {
    const dir = tmpDir();
    const r = await run('check', reviewsMapping, write(dir, 'other.csv', 'Reviewee Employee ID\n1\n'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/warning: the file name does not match the mapping's pattern \(review_export\*\.csv\)/);
    expect(r.out).toMatch(/source column "Review Cycle" is not in the file/);
    const usage = await run('check', reviewsMapping);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/needs a mapping file and a data file/);
  });

  it('stops an expression that would build a huge value, naming the column and the limit (from the config)', async () => {
    const dir = tmpDir();
    const mapping = write(dir, 'huge.yml', `pattern: "skills_*.csv"
datasets:
  skills:
    columns:
      skill_id: Id
      name: { expr: "lpad(Name, 2000000000, '.')" }
`);
    const file = write(dir, 'skills_1.csv', 'Id,Name\nS1,Sql\n');
    const started = Date.now();
    const r = await run('check', mapping, file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error: .*huge\.yml \(dataset skills, column name\): expr lpad\(Name, 2000000000, '\.'\) would produce a value over 10000 characters \(in lpad\(\)\)/);
    expect(Date.now() - started).toBeLessThan(3000);

    // through `trellis`, with the limit from the environment
    const small = write(dir, 'small.yml', fs.readFileSync(mapping, 'utf8').replace('2000000000', '60'));
    const stdout = new TextSink();
    const code = await main(['mapping', 'check', small, file], { stdout, stderr: new TextSink(), env: { TRELLIS_MAPPING_MAX_CHARS: '50' }, cwd: dir });
    expect(code).toBe(1);
    expect(stdout.text).toMatch(/would produce a value over 50 characters \(in lpad\(\)\) on this file \(the limit: mappingMaxChars, TRELLIS_MAPPING_MAX_CHARS\)/);
  });
});
