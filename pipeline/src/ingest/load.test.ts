import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATASET_NAMES, dataset, datasetForFile, nearName } from '../datasets.ts';
import { srcColumnsDdl } from './tables.ts';
import { nativeOrText } from './read-parquet.ts';
import { loadFiles } from './load.ts';
import { FULL, harness, ORG, type Harness } from './test-helpers.ts';

let h: Harness;
beforeAll(async () => { h = await harness(); });
afterAll(() => h.close());
beforeEach(async () => { await h.reset(); });

const summary = (res: Awaited<ReturnType<Harness['load']>>) =>
  res.map((r) => [r.file, r.dataset, r.status, r.rowsRead, r.rowsLoaded, r.rowsRejected, r.rowsWarned]);

describe('loadFiles: a clean drop', () => {
  it('loads roles, skills, objectives and employees with typed values, defaults and lineage', async () => {
    const files = [h.csv('employees.csv', ORG.employees), h.csv('roles.csv', ORG.roles),
      h.csv('skills.csv', ORG.skills), h.csv('objectives.csv', ORG.objectives)];
    const res = await h.load(files, { runId: 7 });
    expect(summary(res)).toEqual([
      ['employees.csv', 'employees', 'loaded', 3, 3, 0, 0],
      ['objectives.csv', 'objectives', 'loaded', 2, 2, 0, 0],
      ['roles.csv', 'roles', 'loaded', 3, 3, 0, 0],
      ['skills.csv', 'skills', 'loaded', 2, 2, 0, 0],
    ]);
    const roles = await h.rows(`select role_id, level, track, is_critical, planned_headcount, _run_id, _file, _line from src_roles order by role_id`);
    expect(roles).toEqual([
      { role_id: 'ENG-1', level: 1, track: 'ic', is_critical: false, planned_headcount: 5, _run_id: 7, _file: 'roles.csv', _line: 2 },
      { role_id: 'ENG-2', level: 2, track: 'ic', is_critical: true, planned_headcount: null, _run_id: 7, _file: 'roles.csv', _line: 3 },
      { role_id: 'MGR-3', level: 3, track: 'manager', is_critical: false, planned_headcount: 1, _run_id: 7, _file: 'roles.csv', _line: 4 },
    ]);
    const emps = await h.rows(`select employee_id, strftime(role_start_date, '%Y-%m-%d') as rsd, termination_type, regrettable, manager_id from src_employees order by 1`);
    expect(emps).toEqual([
      { employee_id: 'E1', rsd: '2021-02-01', termination_type: null, regrettable: null, manager_id: null },
      { employee_id: 'E2', rsd: '2022-03-01', termination_type: null, regrettable: null, manager_id: 'E1' },
      { employee_id: 'E3', rsd: '2023-05-15', termination_type: 'voluntary', regrettable: true, manager_id: 'E1' },
    ]);
    expect(await h.rejects()).toEqual([]);
  });

  it('loads every dataset from CSV and the same from Parquet (all-text and typed columns)', async () => {
    const csvFiles = DATASET_NAMES.map((d) => h.csv(`${d}.csv`, FULL[d]));
    const csvRes = await h.load(csvFiles);
    expect(csvRes.every((r) => r.status === 'loaded' && r.rowsRejected === 0 && r.rowsLoaded > 0)).toBe(true);
    const snapshot = async () => {
      const out: Record<string, unknown[]> = {};
      for (const d of DATASET_NAMES) out[d] = await h.rows(`select * exclude (_file, _run_id) from src_${d} order by _line`);
      return out;
    };
    const fromCsv = await snapshot();
    expect(fromCsv.employee_skills).toHaveLength(3);
    const pqFiles = [];
    for (const f of csvFiles) {
      const name = f.name.replace('.csv', '.parquet');
      pqFiles.push(await h.parquet(name, `select * from read_csv('${f.path}', all_varchar = true, header = true)`));
    }
    // Typed Parquet columns too: integers, booleans and dates as Parquet types.
    pqFiles[DATASET_NAMES.indexOf('roles')] = await h.parquet('roles.parquet',
      `select role_id, title, job_family, level::INTEGER as Level, track, is_critical::BOOLEAN as is_critical,
        planned_headcount::BIGINT as planned_headcount from read_csv('${csvFiles[DATASET_NAMES.indexOf('roles')].path}', all_varchar = true, header = true)`);
    pqFiles[DATASET_NAMES.indexOf('reviews')] = await h.parquet('reviews.parquet',
      `select employee_id, cycle, reviewer_id, performance::TINYINT as performance, potential::INTEGER as potential,
        reviewed_on::DATE as reviewed_on from read_csv('${csvFiles[DATASET_NAMES.indexOf('reviews')].path}', all_varchar = true, header = true)`);
    await h.reset();
    const pqRes = await h.load(pqFiles);
    expect(pqRes.map((r) => [r.file, r.status, r.rowsRejected])).toEqual(
      [...DATASET_NAMES].sort().map((d) => [`${d}.parquet`, 'loaded', 0]));
    expect(await snapshot()).toEqual(fromCsv);
  });

  it('leaves every src_ table with the columns and types of its DDL, whether replaced by the work table or upserted into', async () => {
    const ddl = async () => {
      const out: Record<string, string> = {};
      for (const d of DATASET_NAMES) {
        out[d] = (await h.rows(`select column_name, column_type from (describe src_${d})`))
          .map((c) => `${c.column_name} ${c.column_type}`).join(', ');
      }
      return out;
    };
    const expected = Object.fromEntries(DATASET_NAMES.map((d) =>
      [d, srcColumnsDdl(dataset(d)).replaceAll('"', '')]));
    expect(await ddl()).toEqual(expected);
    // first load: every table is replaced; second: event tables are upserted into, snapshots replaced again
    await h.load(DATASET_NAMES.map((d) => h.csv(`${d}.csv`, FULL[d])), { runId: 1 });
    expect(await ddl()).toEqual(expected);
    await h.load(DATASET_NAMES.map((d) => h.csv(`${d}_2.csv`, FULL[d])), { runId: 2 });
    expect(await ddl()).toEqual(expected);
    const events = DATASET_NAMES.filter((d) => dataset(d).kind === 'event');
    for (const d of events) {
      // the later file's rows replaced the earlier ones with the same key
      expect(await h.rows(`select distinct _run_id, _file from src_${d}`)).toEqual([{ _run_id: 2, _file: `${d}_2.csv` }]);
    }
  });
});

describe('line numbers of a big CSV', () => {
  it('match every row of a file DuckDB reads with several threads (bool and enum rules included)', async () => {
    await h.load([h.csv('roles.csv', FULL.roles), h.csv('skills.csv', FULL.skills), h.csv('employees.csv', FULL.employees)]);
    // ~14 MB: several of DuckDB's CSV buffers, so the read is split between threads. Each line's values
    // follow from its number, so a row placed on the wrong line shows.
    const n = 400_000;
    const parts = ['employee_id,manager_id,week_of,pulse,career_discussed,manager_replied\n'];
    const day0 = Date.UTC(1800, 0, 1);
    for (let line = 2; line < n + 2; line++) {
      const week = new Date(day0 + Math.floor(line / 2) * 86_400_000).toISOString().slice(0, 10);
      parts.push(`E${2 + (line % 2)},E1,${week},${1 + (line % 5)},${line % 3 === 0 ? 'Yes' : 'no'},${line % 7 === 0 ? 'TRUE' : 'n'}\n`);
    }
    const [res] = await h.load([h.write('check_ins.csv', parts.join(''))]);
    expect([res.status, res.rowsLoaded, res.rowsRejected]).toEqual(['loaded', n, 0]);
    const wrong = await h.rows(`select count(*)::int as n from src_check_ins
      where employee_id <> 'E' || (2 + _line % 2) or pulse <> 1 + _line % 5
        or career_discussed <> (_line % 3 = 0) or manager_replied <> (_line % 7 = 0)
        or week_of <> DATE '1800-01-01' + (_line // 2)::INTEGER`);
    expect(wrong).toEqual([{ n: 0 }]);
    expect(await h.rows('select min(_line)::int as lo, max(_line)::int as hi from src_check_ins')).toEqual([{ lo: 2, hi: n + 1 }]);
  });
});

describe('typed Parquet columns', () => {
  // Each case: CSV rows, and the types its Parquet twin gives some columns (cast from the same text).
  const cases: { dataset: string; rows: (string | number)[][]; types: Record<string, string> }[] = [
    { dataset: 'employees', types: { hire_date: 'DATE', role_start_date: 'DATE', termination_date: 'TIMESTAMP' }, rows: [
      FULL.employees[0],
      ['E1', 'Ada Boss', 'ada@x.org', 'Engineering', 'MGR-3', '', 'Oslo', '2019-01-07', '', '', '', '', ''],
      ['E2', 'Bo Dev', 'bo@x.org', 'Engineering', 'ENG-2', 'E1', 'Oslo', '2022-03-01', '2022-02-28', '', '', '', ''],
      ['E3', 'Cy Dev', '', 'Engineering', 'ENG-1', 'E1', '', '2023-05-15', '', '', '2023-05-14', 'voluntary', 'y'],
      ['E4', 'Di Dev', '', 'Engineering', 'ENG-1', 'E1', '', '', '2024-01-01', '', '', '', ''],
    ] },
    { dataset: 'employee_skills', types: { level: 'INTEGER', assessed_on: 'DATE' }, rows: [
      FULL.employee_skills[0],
      ['E1', 'S1', 3, '2026-01-10', ''],
      ['E2', 'S1', -1, '2026-01-10', ''],
      ['E2', 'S2', 7, '2026-01-10', ''],
      ['E3', 'S1', '', '2026-01-10', ''],
      ['E3', 'S2', 2, '10000-01-01', ''],
    ] },
    { dataset: 'check_ins', types: { week_of: 'DATE', pulse: 'TINYINT', career_discussed: 'BOOLEAN', manager_replied: 'BOOLEAN' }, rows: [
      FULL.check_ins[0],
      ['E2', 'E1', '2026-03-02', 5, 'true', ''],
      ['E2', 'E1', '2026-03-09', 0, 'false', 'true'],
      ['E3', 'E1', '', 3, '', ''],
      ['E3', 'E1', '2026-03-16', '', 'true', 'false'],
    ] },
  ];

  it('passes a column on typed only when its Parquet type is exactly what the canonical type holds', () => {
    expect(nativeOrText('date', 'DATE', 'x')).toBe('x');
    expect(nativeOrText('date', 'TIMESTAMP_MS', 'x')).toBe('cast(x as DATE)');
    expect(nativeOrText('int', 'TINYINT', 'x')).toBe('cast(x as INTEGER)');
    expect(nativeOrText('bool', 'BOOLEAN', 'x')).toBe('x');
    // a BIGINT may not fit an INTEGER, a DOUBLE is a number's text rules' business, ints may stand for booleans
    expect(nativeOrText('int', 'BIGINT', 'x')).toBe('cast(x as VARCHAR)');
    expect(nativeOrText('number', 'DOUBLE', 'x')).toBe('cast(x as VARCHAR)');
    expect(nativeOrText('bool', 'INTEGER', 'x')).toBe('cast(x as VARCHAR)');
    expect(nativeOrText('text', 'INTEGER', 'x')).toBe('cast(x as VARCHAR)');
  });

  it.each(cases)('$dataset: the same rows load and the same rejects say the same as from CSV', async ({ dataset, rows, types }) => {
    const base = () => h.load([h.csv('roles.csv', FULL.roles), h.csv('skills.csv', FULL.skills),
      ...(dataset === 'employees' ? [] : [h.csv('employees.csv', FULL.employees)])]);
    await base();
    const csv = h.csv(`${dataset}.csv`, rows);
    const [fromCsv] = await h.load([csv]);
    const loaded = async () => h.rows(`select * exclude (_file, _run_id) from src_${dataset} order by _line`);
    const csvRows = await loaded();
    const csvRejects = await h.rejects(csv.name);
    expect(csvRejects.length).toBeGreaterThan(0);

    await h.reset();
    await base();
    const cols = rows[0].map((c) => String(c));
    const select = cols.map((c) => (types[c] ? `try_cast(nullif(${c}, '') as ${types[c]}) as ${c}` : c)).join(', ');
    const pq = await h.parquet(`${dataset}.parquet`, `select ${select} from read_csv('${csv.path}', all_varchar = true, header = true)`);
    const described = await h.rows<{ column_name: string; column_type: string }>(`select column_name, column_type from (describe select * from read_parquet('${pq.path}'))`);
    for (const [c, t] of Object.entries(types)) expect(described.find((d) => d.column_name === c)?.column_type).toBe(t);
    const [fromPq] = await h.load([pq]);
    expect([fromPq.status, fromPq.rowsRead, fromPq.rowsLoaded, fromPq.rowsRejected])
      .toEqual([fromCsv.status, fromCsv.rowsRead, fromCsv.rowsLoaded, fromCsv.rowsRejected]);
    expect(await loaded()).toEqual(csvRows);
    expect(await h.rejects(pq.name)).toEqual(csvRejects);
  });
});

describe('which dataset a file is', () => {
  it.each([
    ['employees_2026-11-30.csv', 'employees'],
    ['Role_Skills.CSV', 'role_skills'],
    ['roles.csv', 'roles'],
    ['check_ins_week48.csv', 'check_ins'],
  ])('%s is %s', async (name, dataset) => {
    // what the rows point at (a snapshot none of whose rows can load is refused)
    await h.load([h.csv('roles.csv', FULL.roles), h.csv('skills.csv', FULL.skills)]);
    const [res] = await h.load([h.csv(name, FULL[dataset])]);
    expect([res.dataset, res.status]).toEqual([dataset, 'loaded']);
  });

  it.each([
    ['rolesx.csv', 'rolesx.csv: the file name names no dataset'],
    ['notes.txt', 'notes.txt: only .csv and .parquet files can be loaded'],
    ['staff.csv', 'staff.csv: the file name names no dataset'],
  ])('refuses %s', async (name, reason) => {
    const [res] = await h.load([h.write(name, 'a,b\n1,2\n')]);
    expect(res).toMatchObject({ dataset: null, status: 'refused', rowsRead: 0 });
    expect(await h.rows('select count(*)::INTEGER as n from rejects')).toEqual([{ n: 0 }]);
    expect(res.reason).toContain(reason);
  });

  it.each([
    ['employees (1).csv', 'employees_1.csv'], // a browser's second download of employees.csv
    ['Employees 2026-11.csv', 'Employees_2026-11.csv'],
    ['check_ins-week48.csv', 'check_ins_week48.csv'],
    ['employee_skills (2).parquet', 'employee_skills_2.parquet'],
    ['goals .csv', 'goals.csv'],
  ])('refuses %s, saying it would load as %s', async (name, renamed) => {
    const [res] = await h.load([h.write(name, 'a,b\n1,2\n')]);
    expect(res).toMatchObject({ dataset: null, status: 'refused' });
    expect(res.reason).toContain(`${name}: the file name names no dataset and no column mapping matches it; `
      + `a dataset name must be followed by "_" or the extension: rename it ${renamed}, or place it with a column mapping`);
    expect(datasetForFile(renamed)).not.toBeNull();
  });

  it('names no new name for a file that starts with no dataset name', () => {
    expect(['rolesx.csv', 'staff.csv', 'payroll (1).csv'].map(nearName)).toEqual([null, null, null]);
  });

  it('refuses a dataset file that is neither CSV nor Parquet', async () => {
    const [res] = await h.load([h.write('roles.xlsx', 'x')]);
    expect([res.dataset, res.status, res.reason]).toEqual(['roles', 'refused', 'roles.xlsx: only .csv and .parquet files can be loaded; save or export it as CSV (UTF-8) or Parquet and drop it again']);
  });
});

describe('refused files', () => {
  it.each<[string, string | Buffer, string]>([
    ['employees.csv', 'employee_id,Full_Name,department\nE1,x,y\n',
      'employees.csv: missing required columns role_id, hire_date for dataset employees (the file has: employee_id, Full_Name, department)'],
    ['skills.csv', '', 'skills.csv: the file is empty; line 1 must be the header row'],
    ['skills.csv', '\nskill_id,name\nS1,x\n', 'skills.csv: line 1 is empty; line 1 must be the header row'],
    ['skills.csv', 'skill_id,name,SKILL_ID\nS1,x,y\n', 'skills.csv: column "skill_id" appears twice (columns 1 and 3); keep only one'],
    ['skills.parquet', 'skill_id,name\nS1,x\n', 'skills.parquet: the file cannot be read as Parquet'],
  ])('%s: %j', async (name, content, reason) => {
    await h.load([h.csv('skills.csv', ORG.skills)]);
    const [res] = await h.load([h.write(name, content)]);
    expect(res.status).toBe('refused');
    expect(res.reason).toContain(reason);
    // The data already loaded stays in effect.
    expect(await h.rows('select count(*)::INTEGER as n from src_skills')).toEqual([{ n: 2 }]);
  });

  it('refuses a file that cannot be opened', async () => {
    const [res] = await h.load([{ path: `${h.dir}/missing/skills.csv`, name: 'skills.csv' }]);
    expect(res.status).toBe('refused');
    expect(res.reason).toMatch(/^skills\.csv: the file cannot be read \(ENOENT/);
  });

  it('refuses a Parquet column whose type cannot hold the canonical type, naming it', async () => {
    const f = await h.parquet('roles.parquet',
      `select 'R1' as role_id, 't' as title, 'f' as job_family, 2.5::DOUBLE as level`);
    const [res] = await h.load([f]);
    expect(res.reason).toBe('roles.parquet: column "level" has type DOUBLE, which cannot hold level (int); export it as int or text');
  });

  it('refuses a file whose rejected rows exceed maxRejectsPerFile, writing nothing of it', async () => {
    await h.load([h.csv('skills.csv', ORG.skills)]);
    const bad = [['skill_id', 'name'], ['S1', ''], ['S2', ''], ['S3', ''], ['S4', 'ok']];
    const [res] = await h.load([h.csv('skills.csv', bad)], { maxRejectsPerFile: 2 });
    expect(res).toMatchObject({ status: 'refused', rowsRead: 4, rowsLoaded: 0, rowsRejected: 3 });
    expect(res.reason).toBe('skills.csv: 3 rows are rejected, more than the limit of 2 (the first: line 2, name is required but empty); ' +
      'the file was refused whole; check that it is the right export');
    expect(await h.rejects()).toEqual([]);
    expect(await h.rows('select skill_id from src_skills order by 1')).toEqual([{ skill_id: 'S1' }, { skill_id: 'S2' }]);
    const [ok] = await h.load([h.csv('skills.csv', bad)], { maxRejectsPerFile: 3 });
    expect(ok).toMatchObject({ status: 'loaded', rowsLoaded: 1, rowsRejected: 3 });
  });
});

describe('snapshots and events', () => {
  it('a snapshot file replaces the dataset; of several in one drop the last by name wins', async () => {
    await h.load([h.csv('skills.csv', ORG.skills)]);
    const res = await h.load([
      h.csv('skills_2026-02.csv', [['skill_id', 'name'], ['S9', 'Nine']]),
      h.csv('skills_2026-01.csv', [['skill_id', 'name'], ['S8', 'Eight']]),
    ]);
    expect(res.map((r) => [r.file, r.status, r.reason])).toEqual([
      ['skills_2026-01.csv', 'superseded', 'skills_2026-01.csv: superseded by skills_2026-02.csv (a later skills snapshot in the same drop)'],
      ['skills_2026-02.csv', 'loaded', undefined],
    ]);
    expect(await h.rows('select skill_id, _file from src_skills')).toEqual([{ skill_id: 'S9', _file: 'skills_2026-02.csv' }]);
  });

  it('event rows upsert by key across loads and across files of one drop (later file wins)', async () => {
    await h.load([h.csv('roles.csv', ORG.roles), h.csv('employees.csv', ORG.employees)]);
    const header = FULL.check_ins[0];
    await h.load([h.csv('check_ins_w10.csv', [header, ['E2', 'E1', '2026-03-02', 4, '', ''], ['E3', 'E1', '2026-03-02', 3, '', '']])], { runId: 101 });
    await h.load([
      h.csv('check_ins_w12.csv', [header, ['E2', 'E1', '2026-03-16', 5, '', '']]),
      h.csv('check_ins_w11.csv', [header, ['E2', 'E1', '2026-03-02', 1, 'yes', ''], ['E2', 'E1', '2026-03-16', 2, '', '']]),
    ], { runId: 102 });
    expect(await h.rows(`select employee_id, week_of::VARCHAR as week, pulse, career_discussed as c, _run_id, _file
      from src_check_ins order by 1, 2`)).toEqual([
      { employee_id: 'E2', week: '2026-03-02', pulse: 1, c: true, _run_id: 102, _file: 'check_ins_w11.csv' },
      { employee_id: 'E2', week: '2026-03-16', pulse: 5, c: false, _run_id: 102, _file: 'check_ins_w12.csv' },
      { employee_id: 'E3', week: '2026-03-02', pulse: 3, c: false, _run_id: 101, _file: 'check_ins_w10.csv' },
    ]);
  });

  it('reports progress for each file it reads and checks', async () => {
    const events: string[] = [];
    await h.load([h.csv('skills.csv', ORG.skills), h.csv('roles.csv', ORG.roles)],
      { onProgress: (e) => events.push(`${e.phase} ${e.dataset} ${e.file}`) });
    expect(events).toEqual(['read roles roles.csv', 'validate roles roles.csv', 'read skills skills.csv', 'validate skills skills.csv']);
  });
});

describe('datasets loaded beside each other', () => {
  it('on two connections give the results, rows and rejects of one connection', async () => {
    // As a run loads (run.ts): each statement commits as it goes, and a second connection loads the datasets
    // nothing references beside the first. Two files of one event dataset (the later wins) and rows rejected
    // in two datasets that load at the same time; the same drop on one connection, in another database.
    const drop = (x: Harness) => [
      ...DATASET_NAMES.map((d) => x.csv(`${d}.csv`, FULL[d])),
      x.csv('check_ins_w11.csv', [FULL.check_ins[0], ['E2', 'E1', '2026-03-09', 'nine', '', ''], ['E3', 'E1', '2026-03-02', 2, '', '']]),
      x.csv('check_ins_w12.csv', [FULL.check_ins[0], ['E3', 'E1', '2026-03-02', 5, 'yes', '']]),
      x.csv('reviews_late.csv', [FULL.reviews[0], ['E404', '2026-H1', 'E1', 4, 2, '2026-07-01'], ['E3', '2026-H1', 'E1', 9, '', '2026-07-01']]),
    ];
    const two = await harness();
    const helper = await two.db.connect();
    try {
      const alone = await loadFiles(h.conn, drop(h), { runId: 5 });
      const beside = await loadFiles(two.conn, drop(two), { runId: 5, workers: [helper] });
      expect(beside).toEqual(alone);
      expect(alone.filter((r) => r.rowsRejected > 0).map((r) => r.file)).toEqual(['check_ins_w11.csv', 'reviews_late.csv']);
      expect(await two.rejects()).toEqual(await h.rejects());
      for (const d of DATASET_NAMES) {
        const rows = `select * from src_${d} order by all`;
        expect(await two.rows(rows)).toEqual(await h.rows(rows));
      }
      expect(await two.rows(`select pulse from src_check_ins where employee_id = 'E3' and week_of = '2026-03-02'`)).toEqual([{ pulse: 5 }]);
    } finally {
      helper.closeSync();
      two.close();
    }
  });
});
