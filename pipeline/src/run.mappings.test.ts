// Column mappings inside a run: mapped and canonical files of one drop load together (one LOAD_ORDER,
// one "last snapshot file wins" rule), ambiguous or unfit files are refused with the reason, and a
// broken mapping file fails the run instead of loading files the wrong way.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, type Db } from './db.ts';
import { runPipeline, type RunOptions } from './run.ts';
import { presetsDir } from './mapping/test-helpers.ts';
import { runEnv } from './run-test-env.ts';

const AS_OF = '2024-06-30';
const sample = (name: string) => path.join(presetsDir, 'samples', name);
const ROLE_IDS = ['chief-executive-officer', 'director-of-engineering', 'engineering-manager', 'senior-software-engineer',
  'software-engineer', 'sales-manager', 'account-executive', 'senior-account-executive', 'people-partner'];

describe('runPipeline with column mappings', () => {
  let tmp: string;
  let inbox: string;
  let db: Db;
  let opts: RunOptions;
  let drop: (name: string, text: string) => void;
  const q = async (sql: string) => all(await db.connect(), sql);

  beforeAll(async () => {
    ({ tmp, inbox, db, opts, drop } = await runEnv('trellis-run-map-', AS_OF, '2024-07-01T02:00:00Z'));
    // the default mappings folder: `mappings` beside the inbox
    fs.mkdirSync(path.join(tmp, 'mappings'));
    fs.copyFileSync(path.join(presetsDir, 'bamboohr-employees.yml'), path.join(tmp, 'mappings', 'bamboohr-employees.yml'));
  });
  afterAll(() => db.close());

  it('loads a mapped export and canonical files in one order: reviews see mapped employees, the last roles snapshot wins', async () => {
    fs.copyFileSync(sample('bamboohr_employees_2024-06-30.csv'), path.join(inbox, 'bamboohr_employees_2024-06-30.csv'));
    // sorts after bamboohr_…: its roles replace the ones the export brings
    drop('roles.csv', ['role_id,title,job_family,level', ...ROLE_IDS.map((id, i) => `${id},Canonical ${id},Family,${(i % 9) + 1}`)].join('\n') + '\n');
    drop('reviews.csv', 'employee_id,cycle,performance,potential,reviewed_on\n1004,2024-H1,4,3,2024-06-15\n1005,2024-H1,3,2,2024-06-15\n');
    const s = await runPipeline(db, opts);
    expect(s.error).toBeNull();
    expect(s.status).toBe('succeeded');
    expect(s.files.map((f) => [f.file, f.dataset, f.status, f.rowsLoaded, f.rowsRejected])).toEqual([
      ['bamboohr_employees_2024-06-30.csv', 'roles', 'superseded', 0, 0],
      ['bamboohr_employees_2024-06-30.csv', 'employees', 'loaded', 12, 0],
      ['reviews.csv', 'reviews', 'loaded', 2, 0],
      ['roles.csv', 'roles', 'loaded', 9, 0],
    ]);
    expect(s.files[0].reason).toMatch(/superseded by roles\.csv/);
    expect(s.counts).toMatchObject({ files: 3, loaded: 3, superseded: 0 });
    expect(await q("select count(*)::int as n from src_roles where title like 'Canonical %'")).toEqual([{ n: 9 }]);
    expect(await q('select file, dataset, status, mapping from run_files order by file, dataset')).toEqual([
      { file: 'bamboohr_employees_2024-06-30.csv', dataset: 'employees', status: 'loaded', mapping: 'bamboohr-employees.yml' },
      { file: 'bamboohr_employees_2024-06-30.csv', dataset: 'roles', status: 'superseded', mapping: 'bamboohr-employees.yml' },
      { file: 'reviews.csv', dataset: 'reviews', status: 'loaded', mapping: null },
      { file: 'roles.csv', dataset: 'roles', status: 'loaded', mapping: null },
    ]);
    expect(fs.readdirSync(path.join(inbox, 'archive', String(s.runId))).sort()).toEqual(['bamboohr_employees_2024-06-30.csv', 'reviews.csv', 'roles.csv']);
    // the models ran on it: reviewed employees have a 9-box cell
    expect(await q('select employee_id from nine_box order by 1')).toEqual([{ employee_id: '1004' }, { employee_id: '1005' }]);
  });

  it('refuses a file two mappings claim and a file its mapping does not fit; the rest loads', async () => {
    const maps = path.join(tmp, 'maps2');
    fs.mkdirSync(maps);
    fs.copyFileSync(path.join(presetsDir, 'bamboohr-employees.yml'), path.join(maps, 'bamboohr-employees.yml'));
    fs.copyFileSync(path.join(presetsDir, 'hibob-people.yml'), path.join(maps, 'hibob-people.yml'));
    fs.writeFileSync(path.join(maps, 'people-any.yml'), 'pattern: "*people_export*.csv"\ndatasets:\n  skills:\n    columns: { skill_id: a, name: b }\n');
    fs.copyFileSync(sample('hibob_people_export.csv'), path.join(inbox, 'hibob_people_export.csv')); // hibob and people-any
    fs.copyFileSync(sample('workday_workers_2024-06-30.csv'), path.join(inbox, 'bamboohr_wrong.csv')); // not a BambooHR report
    drop('reviews_2.csv', 'employee_id,cycle,performance,reviewed_on\n1006,2024-H1,2,2024-06-20\n');
    const s = await runPipeline(db, { ...opts, mappingsDir: maps });
    expect(s.error).toBeNull();
    expect(s.status).toBe('succeeded_with_issues');
    expect(s.files.map((f) => [f.file, f.status])).toEqual([
      ['bamboohr_wrong.csv', 'refused'], ['hibob_people_export.csv', 'refused'], ['reviews_2.csv', 'loaded'],
    ]);
    expect(s.files[0].reason).toMatch(/bamboohr-employees\.yml \(dataset roles, column role_id\): source column "Job Title" is not in the file/);
    expect(s.files[1].reason).toMatch(/matches several mappings \(hibob-people\.yml, people-any\.yml\)/);
    const refused = path.join(inbox, 'refused');
    expect(fs.readFileSync(path.join(refused, 'hibob_people_export.csv.reason.txt'), 'utf8')).toMatch(/several mappings/);
    expect(fs.existsSync(path.join(refused, 'bamboohr_wrong.csv'))).toBe(true);
    expect(await q('select count(*)::int as n from src_employees')).toEqual([{ n: 12 }]);
  });

  it('refuses a file whose expression fails on its data or goes over a limit; the rest of the run commits', async () => {
    const maps = path.join(tmp, 'maps4');
    fs.mkdirSync(maps);
    const skills = (pattern: string, name: string) => `pattern: "${pattern}"\ndatasets:\n  skills:\n    columns:\n      skill_id: Id\n      name: { expr: "${name}" }\n`;
    fs.writeFileSync(path.join(maps, 'cast.yml'), skills('cast_*.csv', 'Name || cast(N as integer)'));
    fs.writeFileSync(path.join(maps, 'huge.yml'), skills('huge_*.csv', 'repeat(Name, 100000)'));
    drop('cast_1.csv', 'Id,Name,N\nS1,Sql,1\nS2,Go,n/a\n');
    drop('huge_1.csv', 'Id,Name,N\nS1,Sql,1\n');
    drop('reviews_4.csv', 'employee_id,cycle,performance,reviewed_on\n1008,2024-H1,3,2024-06-20\n');
    const s = await runPipeline(db, { ...opts, mappingsDir: maps, mappingLimits: { mappingMaxChars: 1000 } });
    expect(s.error).toBeNull();
    expect(s.status).toBe('succeeded_with_issues');
    expect(s.files.map((f) => [f.file, f.status, f.reason])).toEqual([
      ['cast_1.csv', 'refused', expect.stringMatching(/cast\.yml \(dataset skills, column name\): expr Name \|\| cast\(N as integer\) fails on this file: Conversion Error/)],
      ['huge_1.csv', 'refused', expect.stringMatching(/huge\.yml \(dataset skills, column name\): expr repeat\(Name, 100000\) would produce a value over 1000 characters \(in repeat\(\)\)/)],
      ['reviews_4.csv', 'loaded', null],
    ]);
    expect(await q("select count(*)::int as n from src_reviews where employee_id = '1008'")).toEqual([{ n: 1 }]);
  });

  it('rejects a row with too few or too many fields, in words, for every dataset the file feeds', async () => {
    const lines = fs.readFileSync(sample('bamboohr_employees_2024-06-30.csv'), 'utf8').split('\n');
    lines[4] = lines[4].replace(',Full-Time,', ','); // line 5: 15 fields under a 16-column header
    lines[6] = `${lines[6]},extra,more`; // line 7: 18 fields
    drop('bamboohr_employees_2024-07-01.csv', lines.join('\n'));
    const s = await runPipeline(db, opts);
    expect(s.status).toBe('succeeded_with_issues');
    expect(s.files.map((f) => [f.dataset, f.status, f.rowsRejected])).toEqual([['roles', 'loaded', 2], ['employees', 'loaded', 2]]);
    const reason = (n: number) => `the row has ${n} fields, the header has 16: a quote or separator is probably missing`;
    expect(await q(`select dataset, line, "column", value, reason from rejects where run_id = ${s.runId} order by dataset, line`)).toEqual(
      ['employees', 'roles'].flatMap((dataset) => [
        { dataset, line: 5, column: null, value: lines[4], reason: reason(15) },
        { dataset, line: 7, column: null, value: lines[6], reason: reason(18) },
      ]));
    expect(await q('select count(*)::int as n from src_employees')).toEqual([{ n: 10 }]);
  });

  it('fails the run on a broken mapping file, leaving the files in the inbox and the data as it was', async () => {
    const maps = path.join(tmp, 'maps3');
    fs.mkdirSync(maps);
    fs.writeFileSync(path.join(maps, 'broken.yml'), 'pattern: x\ndatasets:\n  staff: { columns: { a: b } }\n');
    drop('reviews_3.csv', 'employee_id,cycle,performance,reviewed_on\n1007,2024-H1,3,2024-06-20\n');
    const s = await runPipeline(db, { ...opts, mappingsDir: maps });
    expect(s.status).toBe('failed');
    expect(s.error).toMatch(/broken\.yml \(dataset staff\): unknown dataset "staff"/);
    expect(fs.existsSync(path.join(inbox, 'reviews_3.csv'))).toBe(true);
    expect(await q("select count(*)::int as n from src_reviews where employee_id = '1007'")).toEqual([{ n: 0 }]);
    fs.unlinkSync(path.join(inbox, 'reviews_3.csv'));
  });
});
