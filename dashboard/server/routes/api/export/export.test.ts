import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../../../pipeline/src/db.ts';
import { loginAs } from '../../../auth/test-helpers.ts';
import { ADMIN, testServer } from '../../../test-org.ts';
import { csvCell } from '../../../csv.ts';

let app: FastifyInstance;
let db: Db;
beforeAll(async () => ({ app, db } = await testServer()));
afterAll(async () => { await app.close(); db.close(); });

describe('csvCell', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"], ['+1', "'+1"], ['-x', "'-x"], ['@cmd', "'@cmd"],
    ['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], [-3, '-3'], [null, ''], [true, 'true'],
  ])('%s → %s', (value, out) => expect(csvCell(value as never)).toBe(out));
});

describe('GET /api/export', () => {
  it('lists what the caller may export: run bookkeeping for admins, only tables about employees or roles for a manager', async () => {
    const admin = (await app.inject({ url: '/api/export', headers: ADMIN })).json().tables;
    expect(admin).toEqual(expect.arrayContaining(['career_path_state', 'retention_risk', 'runs', 'rejects', 'stg_roles']));
    expect(admin).not.toContain('users');
    const { headers } = await loginAs(app, 'manager', { employeeId: 'E2' });
    const manager = (await app.inject({ url: '/api/export', headers })).json().tables;
    expect(manager).toEqual(expect.arrayContaining(['career_path_state', 'retention_risk', 'stg_roles']));
    expect(manager).not.toContain('runs');
    for (const table of manager) {
      expect((await app.inject({ url: `/api/export/${table}?format=json`, headers })).statusCode).toBe(200);
    }
  });
});

describe('GET /api/export/:table', () => {
  it('exports CSV with formula cells neutralised', async () => {
    const res = await app.inject({ url: '/api/export/career_path_state?format=csv', headers: ADMIN });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="career_path_state.csv"');
    expect(res.body).toContain("'=Lead Hacker");
    expect(res.body.split('\r\n').filter(Boolean)).toHaveLength(7);
  });

  it('exports JSON, Arrow and Parquet with the same row count', async () => {
    const json = (await app.inject({ url: '/api/export/retention_risk?format=json', headers: ADMIN })).json();
    expect(json).toHaveLength(6);
    const arrow = await app.inject({ url: '/api/export/retention_risk?format=arrow', headers: ADMIN });
    expect(tableFromIPC(arrow.rawPayload).numRows).toBe(6);
    const parquet = await app.inject({ url: '/api/export/retention_risk?format=parquet', headers: ADMIN });
    expect(parquet.statusCode).toBe(200);
    expect(parquet.rawPayload.subarray(0, 4).toString()).toBe('PAR1');
    expect(parquet.headers['x-row-count']).toBe('6');
  });

  it('refuses tables outside the whitelist, bad names and formats', async () => {
    expect((await app.inject({ url: '/api/export/users', headers: ADMIN })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/export/sessions', headers: ADMIN })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/export/${encodeURIComponent('runs; drop table runs')}`, headers: ADMIN })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/export/runs?format=xlsx', headers: ADMIN })).statusCode).toBe(400);
  });

  it('scopes a manager and refuses org-wide tables to them', async () => {
    const { headers } = await loginAs(app, 'manager', { employeeId: 'E2' });
    const json = (await app.inject({ url: '/api/export/retention_risk?format=json', headers })).json();
    expect(json.map((r: { employee_id: string }) => r.employee_id).sort()).toEqual(['E2', 'E3', 'E4']);
    const parquet = await app.inject({ url: '/api/export/retention_risk?format=parquet', headers });
    expect(parquet.headers['x-row-count']).toBe('3');
    expect((await app.inject({ url: '/api/export/runs', headers })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/export/stg_roles', headers })).statusCode).toBe(200);
  });
});
