// Plans saved through the API survive `backup` and `restore`: a server on the restored database answers
// the same plan and history, and the next save continues the version count.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, restoreDatabase } from '../../../pipeline/src/commands/backup.ts';
import { openDb } from '../../../pipeline/src/db.ts';
import { loginAs } from '../auth/test-helpers.ts';
import { buildServer } from '../index.ts';
import { LOCAL_TOKEN, orgServer } from '../test-org.ts';

describe('backup and restore keep the saved plans', () => {
  let dir: string;
  let saved: { plan: unknown; versions: unknown; list: unknown; nominations: string };
  let backup: string;

  beforeAll(async () => {
    const org = await orgServer('succession');
    dir = org.dir;
    const { app, db } = org;
    const leader = (await loginAs(app, 'leader', { username: 'lena' })).headers;
    const put = (payload: Record<string, unknown>) =>
      app.inject({ method: 'PUT', url: '/api/succession/plans/TL', headers: leader, payload });
    expect((await put({ base_version: 0, notes: 'v1', successors: [{ employee_id: 'B02', decided_readiness: 'ready_now' }] })).statusCode).toBe(200);
    expect((await put({ base_version: 1, notes: 'v2', emergency_successor_id: 'B12', successors: [
      { employee_id: 'B02', decided_readiness: 'ready_now', actions: [{ action: 'Run the release', due_on: '2026-05-01', done: false }] },
      { employee_id: 'B03', decided_readiness: '1_2_years' }] })).statusCode).toBe(200);
    saved = {
      plan: (await app.inject({ url: '/api/succession/plans/TL', headers: leader })).json(),
      versions: (await app.inject({ url: '/api/succession/plans/TL/versions', headers: leader })).json(),
      list: (await app.inject({ url: '/api/succession/plans', headers: leader })).json(),
      nominations: (await app.inject({ url: '/api/export/succession_plans?format=csv', headers: leader })).body,
    };
    backup = path.join(dir, 'backup.duckdb');
    await backupDatabase(db, backup); // while the server runs, as GET /api/backup does
    // a later change, after the backup: the restore must take it away
    expect((await put({ base_version: 2, notes: 'after the backup', successors: [] })).statusCode).toBe(200);
    await app.close();
    db.close();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a server on the restored database answers the plans as they were backed up', async () => {
    const target = path.join(dir, 'org.duckdb');
    const info = await restoreDatabase(target, backup);
    expect(info.previous).toBe(`${target}.before-restore`);
    const db = await openDb(target);
    const app = await buildServer({ config: { inbox: path.join(dir, 'inbox'), asOf: '2026-03-31', staticDir: path.join(dir, 'no-build') }, db, localToken: LOCAL_TOKEN });
    await app.ready();
    try {
      const leader = (await loginAs(app, 'leader', { username: 'lena2' })).headers;
      expect((await app.inject({ url: '/api/succession/plans/TL', headers: leader })).json()).toEqual(saved.plan);
      expect((await app.inject({ url: '/api/succession/plans/TL/versions', headers: leader })).json()).toEqual(saved.versions);
      expect((await app.inject({ url: '/api/succession/plans', headers: leader })).json()).toEqual(saved.list);
      expect((await app.inject({ url: '/api/export/succession_plans?format=csv', headers: leader })).body).toBe(saved.nominations);
      expect((saved.plan as { plan: { version: number; notes: string } }).plan).toMatchObject({ version: 2, notes: 'v2' });
      // editing goes on from the restored version
      const next = await app.inject({ method: 'PUT', url: '/api/succession/plans/TL', headers: leader,
        payload: { base_version: 2, notes: 'v3', successors: [] } });
      expect(next.statusCode, next.body).toBe(200);
      expect(next.json().plan.version).toBe(3);
    } finally {
      await app.close();
      db.close();
    }
  });
});
