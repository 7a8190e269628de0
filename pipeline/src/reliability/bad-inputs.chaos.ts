// The bad-input corpus through whole pipeline runs and the dashboard API: on a copy of a database
// holding the good base org, each input's run commits, the file ends in inbox/refused/ (with its
// reason) or inbox/archive/<run>/ and nowhere else, and the dashboard still serves the org from the
// new run. Every refused input, and a sample of the loaded ones (bad-inputs.test.ts checks all of them
// through ingest), to keep test:chaos short.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../dashboard/server/index.ts';
import { all, openDb } from '../db.ts';
import { runPipeline } from '../run.ts';
import { archivedFiles } from './chaos-helpers.ts';
import { BASE_DIR, loadExpectations, writeCase } from './corpus.ts';

const { asOf, baseHeadcount, cases } = loadExpectations();
const LOADED_SAMPLE = ['formula-injection', 'manager-cycle', 'encoding-latin1', 'mixed-line-endings', 'ten-mb-field', 'orphans-goals'];
const chosen = cases.filter((c) => c.expect.status === 'refused' || LOADED_SAMPLE.includes(c.id));

let tmp: string;
let baseDb: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bad-runs-'));
  baseDb = path.join(tmp, 'base.duckdb');
  const inbox = path.join(tmp, 'base-inbox');
  fs.cpSync(BASE_DIR, inbox, { recursive: true });
  const db = await openDb(baseDb);
  const s = await runPipeline(db, { inbox, asOf, trigger: 'cli' });
  db.close();
  expect(s.status, s.error ?? '').toBe('succeeded');
});
afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

describe.each(chosen.map((c) => [c.id, c] as const))('a run with bad input %s', (id, c) => {
  it(`succeeds, settles the file inside the inbox and keeps serving (${c.expect.status})`, async () => {
    const dir = path.join(tmp, id);
    const inbox = path.join(dir, 'inbox');
    fs.mkdirSync(inbox, { recursive: true });
    const dbFile = path.join(dir, 'trellis.duckdb');
    fs.copyFileSync(baseDb, dbFile);
    const [name] = writeCase(c, inbox);
    const db = await openDb(dbFile);
    try {
      const s = await runPipeline(db, { inbox, asOf, trigger: 'cli' });
      // committed either way; a refused file or a rejected row makes it "with issues"
      const issues = c.expect.status === 'refused' || (c.expect.rejects ?? []).some((r) => r[2] === 'reject');
      expect(s.status, s.error ?? '').toBe(issues ? 'succeeded_with_issues' : 'succeeded');
      expect(s.files.map((f) => [f.file, f.status])).toEqual([[name, c.expect.status]]);
      // settled inside the inbox, nowhere else
      expect(fs.readdirSync(dir).sort()).toEqual(['inbox', 'trellis.duckdb', ...(fs.existsSync(`${dbFile}.wal`) ? ['trellis.duckdb.wal'] : [])].sort());
      if (c.expect.status === 'refused') {
        expect(fs.existsSync(path.join(inbox, 'refused', name))).toBe(true);
        expect(fs.readFileSync(path.join(inbox, 'refused', `${name}.reason.txt`), 'utf8')).toContain(c.expect.reason!);
      } else {
        expect(archivedFiles(inbox)).toEqual([`${s.runId}/${name}`]);
      }
      const app = await buildServer({ config: { inbox }, db, localToken: 't' });
      try {
        const o = await app.inject({ url: '/api/overview', headers: { authorization: 'Bearer t' } });
        expect(o.statusCode).toBe(200);
        expect(o.json().runId).toBe(s.runId);
        expect(o.json().headcount).toBeGreaterThanOrEqual(baseHeadcount);
        const conn = await db.connect();
        const base = await all(conn, "select employee_id from career_path_state where employee_id in ('E1', 'E2') order by 1");
        conn.closeSync();
        expect(base).toEqual([{ employee_id: 'E1' }, { employee_id: 'E2' }]);
      } finally {
        await app.close();
      }
    } finally {
      db.close();
    }
  });
});
