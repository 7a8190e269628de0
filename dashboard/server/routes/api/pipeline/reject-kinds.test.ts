// GET /api/pipeline/rejects/kinds on fixtures/orgs/paths with rows made to fail: two employees with dates
// the contract refuses (one US-style, one with a time), and three reviews of those two employees and of
// one nobody knows. By hand: employees.csv hire_date 2 rows (lines 14 and 15), reviews.csv employee_id 3
// rows (the first at line 8); the reviews' reasons differ only by the quoted id, so they are one kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../../../pipeline/src/db.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';
import { REPO_ROOT } from '../../../paths.ts';

let app: FastifyInstance;
let db: Db;
const lines = (file: string) => fs.readFileSync(path.join(REPO_ROOT, 'fixtures', 'orgs', 'paths', file), 'utf8').trim().split('\n').length;
beforeAll(async () => ({ app, db } = await orgServer('paths', {
  'employees.csv': ['Z01,Zed One,z1@example.com,Engineering,DIR,,Berlin,01/05/2020,,,,,', 'Z02,Zed Two,z2@example.com,Engineering,DIR,,Berlin,2020-01-05 00:00:00,,,,,'],
  'reviews.csv': ['Z01,2026-H1,,4,2,2026-01-20', 'Z02,2026-H1,,3,2,2026-01-20', 'Z09,2026-H1,,3,2,2026-01-20'],
}, { status: 'succeeded_with_issues' })));
afterAll(async () => { await app.close(); db.close(); });

describe('rejects by kind', () => {
  it('counts each file, column and reason with its values blanked, most rows first', async () => {
    const res = await app.inject({ url: '/api/pipeline/rejects/kinds?run=1', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    const employees = lines('employees.csv');
    expect(res.json().rows).toEqual([
      { run_id: 1, file: 'reviews.csv', dataset: 'reviews', column: 'employee_id', severity: 'reject', problem: 'employee_id "…" is not in employees',
        n_rows: 3, first_line: lines('reviews.csv') + 1, example: 'employee_id "Z01" is not in employees' },
      { run_id: 1, file: 'employees.csv', dataset: 'employees', column: 'hire_date', severity: 'reject',
        problem: 'hire_date "…" is not a valid date (expected YYYY-MM-DD)', n_rows: 2, first_line: employees + 1,
        example: 'hire_date "01/05/2020" is not a valid date (expected YYYY-MM-DD)' },
    ]);
    // the same rows one by one
    expect((await app.inject({ url: '/api/pipeline/rejects?run=1&limit=100', headers: ADMIN })).json().total).toBe(5);
  });

  it('is for admins only', async () => {
    expect((await app.inject({ url: '/api/pipeline/rejects/kinds' })).statusCode).toBe(401);
  });
});
