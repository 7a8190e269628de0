// Each shipped preset loads its sample file through the real ingest validation with no rejects, and the
// review preset loads on top of the BambooHR employees in one database.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, all, exec } from '../db.ts';
import { ensureSourceTables } from '../ingest/index.ts';
import { checkMapping } from './check.ts';
import { loadMappedFiles } from './load-mapped.ts';
import { resolveMappedFiles } from './resolve.ts';
import { presetsDir, tmpDir } from './test-helpers.ts';

const sample = (name: string) => path.join(presetsDir, 'samples', name);

describe('presets load their sample files', () => {
  const presets: [string, string, Record<string, number>][] = [
    ['bamboohr-employees.yml', 'bamboohr_employees_2024-06-30.csv', { roles: 9, employees: 12 }],
    ['workday-workers.yml', 'workday_workers_2024-06-30.csv', { roles: 9, employees: 12 }],
    ['hibob-people.yml', 'hibob_people_export.csv', { roles: 8, employees: 12 }],
    ['performance-reviews.yml', 'review_export_2024.csv', { reviews: 11 }],
    ['workday-job-history.yml', 'workday_job_history_2024-06-30.csv', { job_history: 22 }],
    ['bamboohr-job-information.yml', 'bamboohr-job-information_2024-06-30.csv', { job_history: 20 }],
  ];
  it.each(presets)('%s on %s', async (mapping, file, counts) => {
    const report = await checkMapping(path.join(presetsDir, mapping), sample(file));
    expect(report.error).toBeUndefined();
    expect(report.patternWarning).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(Object.fromEntries(report.datasets.map((d) => [d.dataset, d.rowsLoaded]))).toEqual(counts);
    expect(report.datasets.flatMap((d) => d.rejects)).toEqual([]);
  });
});

describe('mapped files in a run', () => {
  it('resolves inbox files to configured mappings and loads them through validation', async () => {
    const dir = tmpDir();
    const mappingsDir = path.join(dir, 'mappings');
    fs.mkdirSync(mappingsDir);
    for (const m of ['bamboohr-employees.yml', 'performance-reviews.yml']) fs.copyFileSync(path.join(presetsDir, m), path.join(mappingsDir, m));
    const inbox = ['bamboohr_employees_2024-06-30.csv', 'review_export_2024.csv', 'skills.csv', 'workday_workers_2024-06-30.csv'];
    const resolved = resolveMappedFiles(inbox.map((name) => ({ name, path: sample(name) })), mappingsDir);
    expect(resolved.mapped.map((m) => [m.file.name, m.mapping.name])).toEqual([
      ['bamboohr_employees_2024-06-30.csv', 'bamboohr-employees'], ['review_export_2024.csv', 'performance-reviews']]);
    // workday is a shipped preset but not configured: read by dataset name as usual
    expect(resolved.unmapped.map((f) => f.name)).toEqual(['skills.csv', 'workday_workers_2024-06-30.csv']);

    const db = await openDb(path.join(dir, 'trellis.duckdb'));
    const conn = await db.connect();
    try {
      await ensureSourceTables(conn);
      await exec(conn, 'begin transaction');
      const results = await loadMappedFiles(conn, resolved.mapped, { runId: 1 });
      await exec(conn, 'commit');
      expect(results.map((r) => [r.file, r.dataset, r.status, r.rowsLoaded, r.rowsRejected])).toEqual([
        ['bamboohr_employees_2024-06-30.csv', 'roles', 'loaded', 9, 0],
        ['bamboohr_employees_2024-06-30.csv', 'employees', 'loaded', 12, 0],
        ['review_export_2024.csv', 'reviews', 'loaded', 11, 0],
      ]);
      const dev = await all(conn, `select e.full_name, e.manager_id, strftime(e.hire_date, '%Y-%m-%d') as hire_date, r.cycle, r.performance, r.potential, r._line
        from src_employees e join src_reviews r using (employee_id) where e.employee_id = '1004' order by r.cycle`);
      expect(dev).toEqual([
        { full_name: 'Dev Patel', manager_id: '1003', hire_date: '2018-02-20', cycle: '2023-H2', performance: 4, potential: 3, _line: 11 },
        { full_name: 'Dev Patel', manager_id: '1003', hire_date: '2018-02-20', cycle: '2024-H1', performance: 5, potential: 2, _line: 4 },
      ]);
      // the BambooHR preset finds managers by name ("Reports To"): the same as the ids in the sample's "Supervisor EID"
      const managers = await all(conn, `select e.employee_id, e.manager_id, s."Supervisor EID" as supervisor
        from src_employees e join read_csv($f, all_varchar = true) s on s."Employee #" = e.employee_id order by 1`, { f: sample('bamboohr_employees_2024-06-30.csv') });
      expect(managers).toHaveLength(12);
      expect(managers.filter((m) => m.manager_id !== m.supervisor)).toEqual([]);
      expect(managers.filter((m) => m.manager_id !== null)).toHaveLength(11);
      const left = await all(conn, `select employee_id, termination_type, regrettable from src_employees where termination_date is not null order by 1`);
      expect(left).toEqual([
        { employee_id: '1006', termination_type: 'voluntary', regrettable: true },
        { employee_id: '1010', termination_type: 'involuntary', regrettable: false },
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses a file whose mapping does not fit it, naming the mapping, dataset and column', async () => {
    const dir = tmpDir();
    const db = await openDb(path.join(dir, 't.duckdb'));
    const conn = await db.connect();
    try {
      await ensureSourceTables(conn);
      const resolved = resolveMappedFiles([{ name: 'bamboohr_x.csv', path: sample('hibob_people_export.csv') }], [
        (await import('./parse.ts')).loadMapping(path.join(presetsDir, 'bamboohr-employees.yml'))]);
      const [r] = await loadMappedFiles(conn, resolved.mapped, { runId: 1 });
      expect(r.status).toBe('refused');
      expect(r.reason).toMatch(/bamboohr-employees\.yml \(dataset roles, column role_id\): source column "Job Title" is not in the file/);
    } finally {
      db.close();
    }
  });
});
