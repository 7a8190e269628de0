import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../../../pipeline/src/db.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
let inbox: string;
beforeAll(async () => ({ app, db, inbox } = await orgServer('paths')));
afterAll(async () => { await app.pipelineRunner.idle(); await app.close(); db.close(); });

function multipart(filename: string, content: string | Buffer, fields: Record<string, string> = {}) {
  const boundary = '----trellis-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`));
  parts.push(Buffer.isBuffer(content) ? content : Buffer.from(content));
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { ...ADMIN, 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('pipeline routes', () => {
  it('lists runs and one run with its files; unknown run 404, bad id 400', async () => {
    const runs = (await app.inject({ url: '/api/pipeline/runs', headers: ADMIN })).json();
    expect(runs.rows[0]).toMatchObject({ run_id: 1, status: 'succeeded' });
    const one = (await app.inject({ url: '/api/pipeline/runs/1', headers: ADMIN })).json();
    expect(one.files.map((f: { file: string }) => f.file)).toContain('employees.csv');
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
    ['payroll.csv', /names no dataset/],
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

  it('refuses a bad asOf', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/pipeline/runs', headers: ADMIN, payload: { asOf: '2026-02-30' } });
    expect(res.statusCode).toBe(400);
  });
});
