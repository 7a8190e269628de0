// Lookups within the export: manager_id found from a manager's name by the row that has that name.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, exec, openDb } from '../db.ts';
import { ensureSourceTables } from '../ingest/index.ts';
import { applyMapping } from './apply.ts';
import { checkMapping, formatCheck } from './check.ts';
import { MappingError } from './errors.ts';
import { loadMappedFiles } from './load-mapped.ts';
import { parseMapping } from './parse.ts';
import { memoryConn, repoRoot, tmpDir, write } from './test-helpers.ts';

let conn: DuckDBConnection;
let close: () => void;
let dir: string;
beforeAll(async () => { ({ conn, close } = await memoryConn()); dir = tmpDir(); });
afterAll(() => close());

const employees = (managerId: string) => `pattern: "people_*.csv"
datasets:
  employees:
    columns:
      employee_id: Id
      full_name: Name
      department: { const: Sales }
      role_id: { const: ae }
      hire_date: { const: "2020-01-01" }
      manager_id: ${managerId}
`;
const byName = '{ lookup: { find: Manager, in: Name, take: Id } }';

// Ana leads; names are written with other case, spaces and accents; two "Jo Lee" rows with different ids.
const PEOPLE = [
  'Id,Name,Manager',
  'E1,Ana Okafor,',
  'E2,Ben Lind,  ana   OKAFOR ',
  'E3,Chloé Martin,Ben Lind',
  'E4,Dev Patel,Chloe Martin',
  'E5,Jo Lee,Ana Okafor',
  'E6,Jo Lee,Ana Okafor',
  'E7,Kai Mu,Jo Lee',
  'E8,Lea Fox,Nobody Known',
  'E9,Ana Okafor,',
].join('\n');

async function mapped(yaml: string, csv: string) {
  const m = await applyMapping(conn, parseMapping(yaml, 'people.yml'), write(dir, `people_${Math.random().toString(36).slice(2)}.csv`, csv));
  const ds = m.datasets[0];
  const rows = await all<{ _line: number; employee_id: string; manager_id: string | null }>(conn,
    `select _line, employee_id, manager_id from "${ds.table}" order by _line`);
  const warnings = ds.warningsTable
    ? await all(conn, `select _line, "column", value, reason from "${ds.warningsTable}" order by _line`) : [];
  return { rows, warnings };
}

describe('lookup within the export', () => {
  it('takes the id of the row whose name matches: trimmed, any case, spaces and accents ignored', async () => {
    // E9 has Ana's name too, with no id of its own: rows without a take value are not candidates
    const { rows } = await mapped(employees(byName), PEOPLE.replace('E9,Ana Okafor,', ',Ana Okafor,'));
    expect(rows.map((r) => [r.employee_id, r.manager_id])).toEqual([
      ['E1', null], ['E2', 'E1'], ['E3', 'E2'], ['E4', 'E3'], ['E5', 'E1'], ['E6', 'E1'], ['E7', null], ['E8', null], [null, null],
    ]);
  });

  it('leaves the value empty with a warning when no row or several rows with different ids match', async () => {
    const { rows, warnings } = await mapped(employees(byName), PEOPLE);
    expect(rows.find((r) => r.employee_id === 'E2')!.manager_id).toBeNull(); // two Ana Okafor: E1 and E9
    expect(warnings).toEqual([
      { _line: 3, column: 'manager_id', value: 'ana   OKAFOR', reason: 'lines 2, 10 match "ana   OKAFOR" (by column "Name") with different column "Id"; manager_id is left empty' },
      { _line: 6, column: 'manager_id', value: 'Ana Okafor', reason: 'lines 2, 10 match "Ana Okafor" (by column "Name") with different column "Id"; manager_id is left empty' },
      { _line: 7, column: 'manager_id', value: 'Ana Okafor', reason: 'lines 2, 10 match "Ana Okafor" (by column "Name") with different column "Id"; manager_id is left empty' },
      { _line: 8, column: 'manager_id', value: 'Jo Lee', reason: 'lines 6, 7 match "Jo Lee" (by column "Name") with different column "Id"; manager_id is left empty' },
      { _line: 9, column: 'manager_id', value: 'Nobody Known', reason: 'no row of the file matches "Nobody Known" (by column "Name"); manager_id is left empty' },
    ]);
  });

  it('rows that agree on the id are one match', async () => {
    const { rows, warnings } = await mapped(employees(byName), 'Id,Name,Manager\nE1,Ana,\nE1,Ana,\nE2,Ben,ana\n');
    expect(rows.map((r) => r.manager_id)).toEqual([null, null, 'E1']);
    expect(warnings).toEqual([]);
  });

  it('any_order finds "Last, First" by "{First} {Last}"; parts may be expressions or templates', async () => {
    const yaml = employees(`
        lookup:
          find: { expr: "nullif(Boss, '-')" }
          in: { template: "{First} {Last}" }
          take: { expr: "'E' || No" }
          any_order: true`).replace('employee_id: Id', "employee_id: { expr: \"'E' || No\" }").replace('full_name: Name', 'full_name: { template: "{First} {Last}" }');
    const { rows, warnings } = await mapped(yaml, 'No,First,Last,Boss\n1,Ana,Okafor,-\n2,Ben,Lind,"Okafor,  Ana"\n3,Cy,Dee,Ana Okafor\n4,Ed,Fay,"Lind, Ben"\n');
    expect(rows.map((r) => [r.employee_id, r.manager_id])).toEqual([['E1', null], ['E2', 'E1'], ['E3', 'E1'], ['E4', 'E2']]);
    expect(warnings).toEqual([]);
  });

  it('names the column of a lookup that cannot be used', async () => {
    const err = await applyMapping(conn, parseMapping(employees('{ lookup: { find: Manager, in: Nom, take: Id } }'), 'bad.yml'),
      write(dir, 'people_bad.csv', PEOPLE)).catch((e) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect(err.message).toMatch(/^bad\.yml \(dataset employees, column manager_id\): source column "Nom" is not in the file/);
  });
});

describe('lookups in a load and in mapping check', () => {
  it('loads every row; the rows whose lookup found no single value have the field empty and a warning', async () => {
    const file = write(tmpDir(), 'people_1.csv', PEOPLE);
    const db = await openDb(path.join(tmpDir(), 't.duckdb'));
    const c = await db.connect();
    try {
      await ensureSourceTables(c);
      await exec(c, "insert into src_roles (role_id, title, job_family, level) values ('ae', 'Account executive', 'Sales', 3)");
      const [r] = await loadMappedFiles(c, [{ file: { name: 'people_1.csv', path: file }, mapping: parseMapping(employees(byName), 'people.yml') }], { runId: 1 });
      expect([r.status, r.rowsLoaded, r.rowsRejected, r.rowsWarned]).toEqual(['loaded', 9, 0, 5]);
      expect(await all(c, 'select employee_id, manager_id from src_employees where manager_id is not null order by 1')).toEqual([
        { employee_id: 'E3', manager_id: 'E2' }, { employee_id: 'E4', manager_id: 'E3' }]);
      expect(await all(c, `select line, "column", severity from rejects order by line`)).toEqual(
        [3, 6, 7, 8, 9].map((line) => ({ line, column: 'manager_id', severity: 'warning' })));
    } finally {
      db.close();
    }
  });

  it('mapping check warns when most employees lose their manager, saying how many and what to check', async () => {
    const d = tmpDir();
    // managers written "Last, First" against "First Last" names: without any_order nothing matches
    const csv = 'Id,Name,Manager\nE1,Ana Okafor,\nE2,Ben Lind,"Okafor, Ana"\nE3,Cy Dee,"Okafor, Ana"\nE4,Ed Fay,"Lind, Ben"\nE5,Flo Gee,Ben Lind\n';
    const report = await checkMapping(write(d, 'people.yml', employees(byName)), write(d, 'people_2.csv', csv));
    expect(report.ok).toBe(true);
    expect(report.datasets[0].warnings).toEqual([
      '3 of 5 employees (60 %) would lose their manager: for 3 the lookup found no single manager (the warnings below say which): '
      + 'check that both sides write names the same way — first and last name in the same order (or any_order: true), middle names, nicknames',
    ]);
    expect(formatCheck(report)).toMatch(/== employees: .*\nwarning: 3 of 5 employees \(60 %\) would lose their manager/);

    // the same names mapped straight into manager_id: none is an employee_id
    const direct = await checkMapping(write(d, 'direct.yml', employees('Manager')), write(d, 'people_3.csv', csv));
    expect(direct.datasets[0].warnings).toEqual([expect.stringMatching(
      /^4 of 5 employees \(80 %\) would lose their manager: 4 manager_id values are not an employee_id of this file \(or make a cycle\): check that manager_id is mapped from the managers' ids, not their names — to find the id from a name, use a lookup/)]);

    // with any_order they are found: no warning
    const fixed = await checkMapping(write(d, 'fixed.yml', employees('{ lookup: { find: Manager, in: Name, take: Id, any_order: true } }')), write(d, 'people_4.csv', csv));
    expect(fixed.datasets[0].warnings).toEqual([]);
    expect(fixed.datasets[0].rejects).toEqual([]);
  });

  it('the worked example of docs/mappings.md loads as it says', async () => {
    const doc = fs.readFileSync(path.join(repoRoot, 'docs/mappings.md'), 'utf8');
    const example = doc.slice(doc.indexOf('Worked example: a BambooHR-like'));
    const block = (open: string) => { const from = example.indexOf(open) + open.length; return example.slice(from, example.indexOf('```', from)); };
    const d = tmpDir();
    const report = await checkMapping(write(d, 'bamboohr-people.yml', block('```yaml\n')), write(d, 'bamboohr_people_2024-06-30.csv', block('```\n')), { previewRows: 10 });
    const employees = report.datasets.find((x) => x.dataset === 'employees')!;
    expect(employees.rowsLoaded).toBe(8);
    expect(employees.preview.map((r) => [r.employee_id, r.manager_id])).toEqual([
      ['1001', null], ['1002', '1001'], ['1003', '1002'], ['1004', '1003'], ['1005', '1001'], ['1006', '1001'], ['1007', null], ['1008', null]]);
    expect(employees.rejects.map((r) => [r.line, r.severity])).toEqual([[8, 'warning'], [9, 'warning']]);
  });
});
