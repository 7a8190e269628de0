// The IBM HR attrition sample (read from ../shared/datasets; the test's temp inbox gets a copy, never the
// repo) goes through runPipeline with the shipped mapping in its mappings folder: zero rejected rows,
// then the models, and the risk-band mix is printed split by the file's own Attrition column (figures
// for the reader; only sanity asserts).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, literal, openDb, type Db } from '../db.ts';
import { runPipeline, type RunSummary } from '../run.ts';
import { checkMapping } from './check.ts';
import { auc } from '../backtest/stats.ts';
import { datasetsDir, presetsDir, tmpDir } from './test-helpers.ts';

const IBM = path.join(datasetsDir, 'ibm-hr-attrition/WA_Fn-UseC_-HR-Employee-Attrition.csv');
const MAPPING = path.join(presetsDir, 'ibm-hr-attrition.yml');
const AS_OF = '2021-06-30'; // the mapping's export_date

let db: Db;
let run: RunSummary;
beforeAll(async () => {
  const dir = tmpDir();
  const inbox = path.join(dir, 'inbox');
  const mappingsDir = path.join(dir, 'site-mappings');
  fs.mkdirSync(inbox);
  fs.mkdirSync(mappingsDir);
  fs.copyFileSync(MAPPING, path.join(mappingsDir, path.basename(MAPPING)));
  fs.copyFileSync(IBM, path.join(inbox, path.basename(IBM)));
  db = await openDb(path.join(dir, 'ibm.duckdb'));
  run = await runPipeline(db, { inbox, mappingsDir, asOf: AS_OF, trigger: 'cli', clock: () => new Date('2021-07-01T00:00:00Z') });
});
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

  it('a run loads it with zero rejects, lines matching the file, dates derived from the tenure columns', async () => {
    const conn = await db.connect();
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(run.files.map((r) => [r.dataset, r.status, r.rowsLoaded, r.rowsRejected, r.rowsWarned])).toEqual([
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

  it('the run built the models: the risk-band mix by the file\'s Attrition column', async () => {
    const conn = await db.connect();
    expect(run.models).toBeGreaterThan(10);
    expect(await all(conn, 'select file, mapping from run_files')).toEqual([
      { file: path.basename(IBM), mapping: 'ibm-hr-attrition.yml' }, { file: path.basename(IBM), mapping: 'ibm-hr-attrition.yml' },
      { file: path.basename(IBM), mapping: 'ibm-hr-attrition.yml' }]);
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

  // A cross-sectional check of the default score (docs/marts.md "Risk backtest", "The IBM check"): one date,
  // the file's Attrition label against the score the run gave each person. Not a backtest: the label and the
  // flags are read at the same moment, and most factors cannot be scored from this file.
  it("the AUC of the default score against the file's Attrition column", async () => {
    const conn = await db.connect();
    const rows = await all<{ score: number; attrition: string; stalled: boolean | null; factors_off: string | null }>(conn, `
      with f as (select EmployeeNumber::varchar as employee_id, Attrition as attrition from read_csv(${literal(IBM)}, header = true, all_varchar = true))
      select r.score, f.attrition, r.stalled, r.factors_off::varchar as factors_off from retention_risk r join f using (employee_id)`);
    expect(rows).toHaveLength(1470);
    const value = auc(rows.map((r) => r.score), rows.map((r) => r.attrition === 'Yes'))!;
    const offs = [...new Set(rows.map((r) => r.factors_off))];
    console.log(`IBM HR attrition: AUC of the default retention-risk score against Attrition = ${value.toFixed(4)} `
      + `(1470 employees, 237 left; factors off: ${offs.join(' | ')})`);
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
    // the score here is stalled's 20 points or nothing (every other factor is off or never true): its AUC is
    // that one flag's, worked out from the 2×2 table of stalled × Attrition
    const t = { yes1: 0, yes0: 0, no1: 0, no0: 0 };
    for (const r of rows) {
      const k = `${r.attrition === 'Yes' ? 'yes' : 'no'}${r.stalled ? 1 : 0}` as keyof typeof t;
      t[k]++;
    }
    const byHand = (t.yes1 * t.no0 + 0.5 * (t.yes1 * t.no1 + t.yes0 * t.no0)) / ((t.yes1 + t.yes0) * (t.no1 + t.no0));
    console.log('IBM stalled × Attrition:', t);
    expect(value).toBeCloseTo(byHand, 12);
  });
});
