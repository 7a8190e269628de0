// The IBM HR attrition sample (read from ../shared/datasets, never copied) loads through the shipped
// mapping with zero rejected rows; then the models run on it and the risk-band mix is printed split by
// the file's own Attrition column (figures for the reader; only sanity asserts).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, exec, openDb, type Db } from '../db.ts';
import { ensureSourceTables } from '../ingest/index.ts';
import { literal } from '../db.ts';
import { runModels } from '../models.ts';
import { checkMapping } from './check.ts';
import { loadMappedFiles } from './load-mapped.ts';
import { loadMapping } from './parse.ts';
import { resolveMappedFiles } from './resolve.ts';
import { datasetsDir, presetsDir, tmpDir } from './test-helpers.ts';

const IBM = path.join(datasetsDir, 'ibm-hr-attrition/WA_Fn-UseC_-HR-Employee-Attrition.csv');
const MAPPING = path.join(presetsDir, 'ibm-hr-attrition.yml');
const AS_OF = '2021-06-30'; // the mapping's export_date

let db: Db;
beforeAll(async () => { db = await openDb(path.join(tmpDir(), 'ibm.duckdb')); });
afterAll(() => db.close());

describe('IBM HR attrition sample through fixtures/mappings/ibm-hr-attrition.yml', () => {
  it('mapping check: every row would load', async () => {
    const report = await checkMapping(MAPPING, IBM);
    expect(report.error).toBeUndefined();
    expect(report.patternWarning).toBeUndefined();
    expect(report.rowsRead).toBe(1470);
    expect(report.datasets.map((d) => [d.dataset, d.rows, d.rowsLoaded, d.rejects.length])).toEqual([
      ['roles', 26, 26, 0], ['employees', 1470, 1470, 0], ['reviews', 1470, 1470, 0]]);
  });

  it('loads with zero rejects, lines matching the file, dates derived from the tenure columns', async () => {
    const conn = await db.connect();
    await ensureSourceTables(conn);
    const resolved = resolveMappedFiles([{ name: path.basename(IBM), path: IBM }], [loadMapping(MAPPING)]);
    expect(resolved.mapped).toHaveLength(1);
    await exec(conn, 'begin transaction');
    const results = await loadMappedFiles(conn, resolved.mapped, { runId: 1 });
    await exec(conn, 'commit');
    expect(results.map((r) => [r.dataset, r.status, r.rowsLoaded, r.rowsRejected, r.rowsWarned])).toEqual([
      ['roles', 'loaded', 26, 0, 0], ['employees', 'loaded', 1470, 0, 0], ['reviews', 'loaded', 1470, 0, 0]]);

    // each employee row sits on the physical line of its record, and its dates follow from the file
    const mismatches = await all(conn, `
      with f as (select row_number() over () + 1 as line, * from read_csv(${literal(IBM)}, header = true))
      select count(*)::int as n from f join src_employees e on e._line = f.line
      where e.employee_id <> f.EmployeeNumber::varchar
         or e.hire_date <> (date ${literal(AS_OF)} - to_years(f.YearsAtCompany))::date
         or e.role_id <> lower(regexp_replace(f.JobRole, '[^A-Za-z0-9]+', '-', 'g')) || '-l' || f.JobLevel
         or (f.YearsSinceLastPromotion < f.YearsAtCompany) <> (e.last_promotion_date is not null)`);
    expect(mismatches[0].n).toBe(0);
    const perf = await all(conn, 'select performance, count(*)::int as n from src_reviews group by 1 order by 1');
    expect(perf).toEqual([{ performance: 3, n: 1244 }, { performance: 4, n: 226 }]);
  });

  it('runs the models and prints the risk-band mix by the file\'s Attrition column', async () => {
    const conn = await db.connect();
    await exec(conn, 'begin transaction');
    await runModels(conn, { asOf: AS_OF });
    await exec(conn, 'commit');
    const mix = await all<{ attrition: string; band: string; n: number; pct: number }>(conn, `
      with f as (select EmployeeNumber::varchar as employee_id, Attrition as attrition from read_csv(${literal(IBM)}, header = true, all_varchar = true))
      select f.attrition, r.band, count(*)::int as n,
        round(100.0 * count(*) / sum(count(*)) over (partition by f.attrition), 1)::double as pct
      from retention_risk r join f using (employee_id)
      group by f.attrition, r.band order by f.attrition, r.band`);
    console.log('IBM HR attrition: retention risk band by the file\'s Attrition column');
    console.table(mix);
    const total = mix.reduce((s, r) => s + r.n, 0);
    expect(total).toBe(1470); // nobody is terminated in the mapping: every employee is active and scored
    expect(new Set(mix.map((r) => r.attrition))).toEqual(new Set(['Yes', 'No']));
    expect(mix.filter((r) => r.attrition === 'Yes').reduce((s, r) => s + r.n, 0)).toBe(237);
    for (const r of mix) expect(['high', 'medium', 'low']).toContain(r.band);
  });
});
