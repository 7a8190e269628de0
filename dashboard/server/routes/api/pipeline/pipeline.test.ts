import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openDb, type Db } from '../../../../../pipeline/src/db.ts';
import { createPreviousVersionDb } from '../../../../../pipeline/src/migrations/previous-version.ts';
import { ADMIN, LOCAL_TOKEN, orgServer, tmpDir } from '../../../test-org.ts';
import { REPO_ROOT } from '../../../paths.ts';
import { buildServer } from '../../../index.ts';

let app: FastifyInstance;
let db: Db;
let inbox: string;
let dir: string;
beforeAll(async () => ({ app, db, inbox, dir } = await orgServer('paths')));
afterAll(async () => { await app.pipelineRunner.idle(); await app.close(); db.close(); });

function multipart(filename: string, content: string | Buffer, fields: Record<string, string> = {}, fieldsAfterFile = false) {
  const boundary = '----trellis-test-boundary';
  const parts: Buffer[] = [];
  const fieldParts = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (!fieldsAfterFile) parts.push(...fieldParts);
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`));
  parts.push(Buffer.isBuffer(content) ? content : Buffer.from(content));
  parts.push(Buffer.from('\r\n'));
  if (fieldsAfterFile) parts.push(...fieldParts);
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { ...ADMIN, 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('pipeline routes', () => {
  it('lists runs and one run with its files; unknown run 404, bad id 400', async () => {
    const runs = (await app.inject({ url: '/api/pipeline/runs', headers: ADMIN })).json();
    expect(runs.rows[0]).toMatchObject({ run_id: 1, status: 'succeeded' });
    const one = (await app.inject({ url: '/api/pipeline/runs/1', headers: ADMIN })).json();
    expect(one.files.map((f: { file: string }) => f.file)).toContain('employees.csv');
    expect(one.files.find((f: { file: string }) => f.file === 'employees.csv')).toMatchObject({ dataset: 'employees', mapping: null });
    // what the run said, as `trellis run` printed it (paths has no job_history: the history fallback note)
    expect(one.notes.some((n: string) => /^history: \d+ of \d+ employee-dates over \d+ dates have no job_history row/.test(n))).toBe(true);
    expect((await app.inject({ url: '/api/pipeline/runs/99', headers: ADMIN })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/pipeline/runs/abc', headers: ADMIN })).statusCode).toBe(400);
  });

  it('filters rejects by run and severity', async () => {
    const res = await app.inject({ url: '/api/pipeline/rejects?run=1&severity=reject', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    expect(res.json().rows.every((r: { severity: string }) => r.severity === 'reject')).toBe(true);
    expect((await app.inject({ url: '/api/pipeline/rejects?run=x', headers: ADMIN })).statusCode).toBe(400);
  });

  it.each([
    ['../employees.csv', /plain file name/],
    ['employees.txt', /\.csv or \.parquet/],
    ['payroll.csv', /names no dataset: start it with a dataset name/],
    ['Employees 2026-11.csv', /names no dataset: a dataset name must be followed by "_" or the extension: rename it Employees_2026-11\.csv or match/],
  ])('refuses the upload name %s', async (name, message) => {
    const res = await app.inject({ method: 'POST', url: '/api/pipeline/uploads', ...multipart(name, 'a,b\n') });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(fs.readdirSync(inbox).filter((f) => !f.startsWith('archive'))).not.toContain(path.basename(name));
  });

  it('refuses a file over the size limit (413) and leaves nothing behind', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 'x');
    const res = await app.inject({ method: 'POST', url: '/api/pipeline/uploads', ...multipart('skills_big.csv', big) });
    expect(res.statusCode).toBe(413);
    expect(fs.readdirSync(inbox).filter((f) => f.includes('skills_big'))).toEqual([]);
  });

  it('accepts a dataset file, then a run picks it up (202, progress, 409 while running)', async () => {
    const up = await app.inject({ method: 'POST', url: '/api/pipeline/uploads', ...multipart('check_ins_extra.csv', 'employee_id,week_of,pulse\nA03,2026-06-22,4\n') });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toMatchObject({ file: 'check_ins_extra.csv', dataset: 'check_ins' });
    expect(fs.existsSync(path.join(inbox, 'check_ins_extra.csv'))).toBe(true);

    const started = await app.inject({ method: 'POST', url: '/api/pipeline/runs', headers: ADMIN, payload: {} });
    expect(started.statusCode).toBe(202);
    expect(started.json().runId).toBe(2);
    const again = await app.inject({ method: 'POST', url: '/api/pipeline/runs', headers: ADMIN, payload: {} });
    expect([202, 409]).toContain(again.statusCode); // 409 unless the first run already finished
    if (again.statusCode === 409) expect(again.json().message).toMatch(/already in progress/);
    await app.pipelineRunner.idle();
    const progress = (await app.inject({ url: '/api/pipeline/progress', headers: ADMIN })).json();
    expect(progress.running).toBe(false);
    expect(progress.runId).toBeGreaterThanOrEqual(2);
    expect(progress.progress?.phase).toBeTruthy();
    const run2 = (await app.inject({ url: '/api/pipeline/runs/2', headers: ADMIN })).json();
    expect(run2.run.status).toBe('succeeded');
    expect(run2.files).toContainEqual(expect.objectContaining({ file: 'check_ins_extra.csv', status: 'loaded', rows_loaded: 1 }));
  });

  it('a run that committed with a rejected row and a refused file says so: status, outcome, and it serves', async () => {
    fs.writeFileSync(path.join(inbox, 'check_ins_bad.csv'), 'employee_id,week_of,pulse\nNOBODY,2026-06-22,4\n');
    fs.writeFileSync(path.join(inbox, 'vendor.csv'), 'a\n1\n');
    const started = (await app.inject({ method: 'POST', url: '/api/pipeline/runs', headers: ADMIN, payload: {} })).json();
    await app.pipelineRunner.idle();
    const progress = (await app.inject({ url: '/api/pipeline/progress', headers: ADMIN })).json();
    expect(progress).toMatchObject({
      running: false, runId: started.runId, status: 'succeeded_with_issues',
      outcome: `run ${started.runId} succeeded with issues: 1 file refused, 1 row rejected`,
    });
    const runs = (await app.inject({ url: '/api/pipeline/runs?status=succeeded_with_issues', headers: ADMIN })).json();
    expect(runs.rows.map((r: { run_id: number }) => r.run_id)).toEqual([started.runId]);
    const meta = (await app.inject({ url: '/api/meta', headers: ADMIN })).json();
    expect(meta).toMatchObject({ runId: started.runId, lastRun: { status: 'succeeded_with_issues' }, lastGoodRun: { runId: started.runId } });
    const rejects = (await app.inject({ url: `/api/pipeline/rejects?run=${started.runId}&dataset=check_ins`, headers: ADMIN })).json();
    expect(rejects.rows).toEqual([expect.objectContaining({ file: 'check_ins_bad.csv', dataset: 'check_ins', line: 2, column: 'employee_id', severity: 'reject' })]);
  });

  it('refuses a bad asOf', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/pipeline/runs', headers: ADMIN, payload: { asOf: '2026-02-30' } });
    expect(res.statusCode).toBe(400);
  });
});

describe('uploads through column mappings', () => {
  const presets = path.join(REPO_ROOT, 'fixtures', 'mappings');
  const mappingsDir = () => path.join(dir, 'mappings'); // the default: beside the inbox
  const sample = (name: string) => fs.readFileSync(path.join(presets, 'samples', name));
  const inInbox = () => fs.readdirSync(inbox).filter((f) => !['archive', 'refused'].includes(f)).sort();
  const upload = (name: string, content: string | Buffer, fields: Record<string, string> = {}, after = false) =>
    app.inject({ method: 'POST', url: '/api/pipeline/uploads', ...multipart(name, content, fields, after) });
  afterAll(() => {
    for (const f of inInbox()) fs.rmSync(path.join(inbox, f));
    fs.rmSync(mappingsDir(), { recursive: true, force: true });
  });

  it('lists the configured mappings (admin only); none when the folder is missing', async () => {
    expect((await app.inject({ url: '/api/pipeline/mappings', headers: ADMIN })).json()).toEqual({ mappingsDir: mappingsDir(), mappings: [] });
    fs.mkdirSync(mappingsDir());
    for (const m of ['bamboohr-employees.yml', 'performance-reviews.yml']) fs.copyFileSync(path.join(presets, m), path.join(mappingsDir(), m));
    const res = await app.inject({ url: '/api/pipeline/mappings', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    expect(res.json().mappings).toEqual([
      expect.objectContaining({ file: 'bamboohr-employees.yml', name: 'bamboohr-employees', patterns: ['bamboohr_*.csv'], datasets: ['roles', 'employees'] }),
      expect.objectContaining({ file: 'performance-reviews.yml', name: 'performance-reviews', datasets: ['reviews'] }),
    ]);
    expect((await app.inject({ url: '/api/pipeline/mappings' })).statusCode).toBe(401);
  });

  it('detects the mapping by the file name and says what the file loads as', async () => {
    const res = await upload('bamboohr_employees_2024-06-30.csv', sample('bamboohr_employees_2024-06-30.csv'));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ file: 'bamboohr_employees_2024-06-30.csv', mapping: 'bamboohr-employees.yml', dataset: null, datasets: ['roles', 'employees'] });
    const canonical = await upload('skills_new.csv', 'skill_id,name\nS9,Rust\n');
    expect(canonical.json()).toMatchObject({ file: 'skills_new.csv', mapping: null, dataset: 'skills', datasets: ['skills'] });
    expect(inInbox()).toEqual(['bamboohr_employees_2024-06-30.csv', 'skills_new.csv']);
  });

  it.each([
    ['performance-reviews.yml', false], ['performance-reviews', true],
  ])('takes a named mapping (%s; field after the file: %s)', async (mapping, after) => {
    const res = await upload('review_export_2024.csv', sample('review_export_2024.csv'), { mapping }, after);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ mapping: 'performance-reviews.yml', dataset: 'reviews', datasets: ['reviews'] });
  });

  it.each([
    ['review_export_9.csv', { mapping: 'nope' }, /Unknown mapping "nope": configured mappings are bamboohr-employees\.yml, performance-reviews\.yml/],
    ['employees_2.csv', { mapping: 'bamboohr-employees.yml' }, /does not match the pattern of mapping bamboohr-employees\.yml \(bamboohr_\*\.csv\)/],
    ['vendor_dump.csv', {}, /names no dataset.*bamboohr-employees\.yml/],
  ])('refuses %s with %j, leaving nothing behind', async (name, fields, message) => {
    const before = inInbox();
    const res = await upload(name, 'a,b\n1,2\n', fields);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
    expect(fs.readdirSync(inbox).filter((f) => !['archive', 'refused'].includes(f)).sort()).toEqual(before);
  });

  it('refuses a file two mappings claim, and names a broken mapping', async () => {
    fs.writeFileSync(path.join(mappingsDir(), 'any-review.yml'), 'pattern: "review_*.csv"\ndatasets:\n  reviews:\n    columns: { employee_id: a, cycle: b, performance: c, reviewed_on: d }\n');
    const twice = await upload('review_export_2.csv', 'a,b\n');
    expect(twice.statusCode).toBe(400);
    expect(twice.json().message).toMatch(/matches several mappings \(any-review\.yml, performance-reviews\.yml\)/);
    fs.writeFileSync(path.join(mappingsDir(), 'any-review.yml'), 'pattern: x\ndatasets:\n  staff: { columns: { a: b } }\n');
    const broken = await app.inject({ url: '/api/pipeline/mappings', headers: ADMIN });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toMatch(/broken mapping.*any-review\.yml \(dataset staff\)/);
    fs.rmSync(path.join(mappingsDir(), 'any-review.yml'));
  });
});

describe('a database made before schema versions (rejects without a dataset)', () => {
  it('is migrated when opened, so the server serves its runs and rejects (dataset filled in where the file fed one dataset)', async () => {
    const oldDir = tmpDir();
    const file = path.join(oldDir, 'old.duckdb');
    await createPreviousVersionDb(file);
    const oldDb = await openDb(file, { notice: () => {} });
    const old = await buildServer({
      config: { inbox: path.join(oldDir, 'inbox'), asOf: '2026-03-31', staticDir: path.join(oldDir, 'no-build') }, db: oldDb, localToken: LOCAL_TOKEN,
    });
    try {
      const res = await old.inject({ url: '/api/pipeline/rejects?run=1&sort=line&order=asc', headers: ADMIN });
      expect(res.statusCode).toBe(200);
      expect(res.json().rows).toEqual([
        expect.objectContaining({ file: 'employees_old.csv', dataset: 'employees', line: 3, column: 'hire_date' }),
        expect.objectContaining({ file: 'hris.csv', dataset: null, line: 4, column: 'role_id' }),
      ]);
      const run = (await old.inject({ url: '/api/pipeline/runs/1', headers: ADMIN })).json();
      expect(run.files.map((f: { file: string; mapping: string | null }) => [f.file, f.mapping]))
        .toEqual([['employees_old.csv', null], ['hris.csv', 'hris.yml'], ['hris.csv', 'hris.yml']]);
    } finally {
      await old.close();
      oldDb.close();
      fs.rmSync(oldDir, { recursive: true, force: true });
    }
  });
});
