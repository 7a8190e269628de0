// Plans exported as successor_nominations (`trellis export succession_plans --format csv`, and GET
// /api/export/succession_plans) load back through the real pipeline as the same nominations, and the
// succession marts then compare them with the evidence.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../pipeline/src/cli.ts';
import { all, openDb, type Db } from '../../../pipeline/src/db.ts';
import { runPipeline } from '../../../pipeline/src/run.ts';
import { TextSink } from '../../../pipeline/src/text-sink.ts';
import { loginAs } from '../auth/test-helpers.ts';
import { REPO_ROOT } from '../paths.ts';
import { orgServer } from '../test-org.ts';
import type { FastifyInstance } from 'fastify';

type Row = Record<string, unknown>;
const HEADER = 'role_id,nominee_id,nominated_by,readiness,nominated_on';

async function rows(db: Db, sql: string): Promise<Row[]> {
  const conn = await db.connect();
  try { return await all(conn, sql); } finally { conn.closeSync(); }
}

describe('export succession_plans → load through the pipeline → the same nominations', () => {
  let app: FastifyInstance;
  let db: Db;
  let dir: string;
  let asOf: string;
  let apiCsv: string;

  beforeAll(async () => {
    ({ app, db, dir, asOf } = await orgServer('succession'));
    // a leader who is also an employee (Yan, B07): their id is the nominations' nominated_by
    const yan = (await loginAs(app, 'leader', { employeeId: 'B07', username: 'yan' })).headers;
    const save = async (role: string, payload: Row) => {
      const res = await app.inject({ method: 'PUT', url: `/api/succession/plans/${role}`, headers: yan, payload });
      if (res.statusCode !== 200) throw new Error(res.body);
    };
    await save('TL', { base_version: 0, successors: [
      { employee_id: 'B02', decided_readiness: '3_plus_years' }, { employee_id: 'B03', decided_readiness: '1_2_years' }] });
    await save('HOP', { base_version: 0, emergency_successor_id: 'B05', successors: [{ employee_id: 'B05', decided_readiness: 'ready_now' }] });
    const manager = (await loginAs(app, 'manager', { employeeId: 'B01' })).headers;
    expect((await app.inject({ url: '/api/export/succession_plans', headers: manager })).statusCode).toBe(404); // not for managers
    const res = await app.inject({ url: '/api/export/succession_plans?format=csv', headers: yan });
    expect(res.statusCode, res.body).toBe(200);
    apiCsv = res.body;
    await app.close();
    db.close();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A new inbox: the org's files, with the exported plans as its successor_nominations.csv. */
  function inboxWithExport(name: string): string {
    const inbox = path.join(dir, name);
    fs.mkdirSync(inbox);
    const org = path.join(REPO_ROOT, 'fixtures', 'orgs', 'succession');
    for (const f of fs.readdirSync(org)) if (f.endsWith('.csv')) fs.copyFileSync(path.join(org, f), path.join(inbox, f));
    fs.copyFileSync(path.join(dir, 'succession_plans.csv'), path.join(inbox, 'successor_nominations.csv'));
    return inbox;
  }

  it('writes the contract format, by the CLI and by the server alike', async () => {
    const out = path.join(dir, 'succession_plans.csv');
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await main(['export', 'succession_plans', '--format', 'csv', '--db', path.join(dir, 'org.duckdb'), '--out', out],
      { stdout, stderr, env: {}, cwd: dir });
    expect(code, stderr.text).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines.slice(1).sort()).toEqual([
      `HOP,B05,B07,ready_now,${today}`, `TL,B02,B07,3_plus_years,${today}`, `TL,B03,B07,1_2_years,${today}`]);
    expect(apiCsv.trim().split(/\r?\n/).slice(1).sort()).toEqual(lines.slice(1).sort());
  });

  it('loaded as successor_nominations.csv, they are exactly the nominations in effect, no row rejected', async () => {
    const again = inboxWithExport('inbox-again');
    const fresh = await openDb(path.join(dir, 'again.duckdb'));
    try {
      const summary = await runPipeline(fresh, { inbox: again, asOf, trigger: 'cli' });
      // nominated today, after the org's as_of: loaded as they are; the marts only count them from their date
      expect(summary.status, JSON.stringify(summary).slice(0, 3000)).toBe('succeeded');
      const exported = fs.readFileSync(path.join(dir, 'succession_plans.csv'), 'utf8').trim().split('\n').slice(1).sort();
      const loaded = await rows(fresh, `select role_id, nominee_id, nominated_by, readiness, strftime(nominated_on, '%Y-%m-%d') as nominated_on
        from stg_successor_nominations order by all`);
      expect(loaded.map((r) => Object.values(r).join(','))).toEqual(exported);
      expect(await rows(fresh, 'select count(*)::int as n from rejects')).toEqual([{ n: 0 }]);
    } finally {
      fresh.close();
    }
  });

  it('with as_of on or after the decision day, the succession marts carry the decided readiness', async () => {
    const again = inboxWithExport('inbox-later');
    const later = await openDb(path.join(dir, 'later.duckdb'));
    try {
      const today = new Date().toISOString().slice(0, 10);
      const summary = await runPipeline(later, { inbox: again, asOf: today > asOf ? today : asOf, trigger: 'cli' });
      expect(summary.status, summary.error ?? '').not.toBe('failed');
      const candidates = await rows(later, `select role_id, employee_id, nominated_readiness from succession_candidates
        where nominated_readiness is not null order by role_id, employee_id`);
      expect(candidates).toEqual([
        { role_id: 'HOP', employee_id: 'B05', nominated_readiness: 'ready_now' },
        { role_id: 'TL', employee_id: 'B02', nominated_readiness: '3_plus_years' },
        { role_id: 'TL', employee_id: 'B03', nominated_readiness: '1_2_years' },
      ]);
    } finally {
      later.close();
    }
  });
});
