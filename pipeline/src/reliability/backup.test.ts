// trellis backup / restore: a consistent copy (while a run is in progress too), restored exactly,
// through the server when one owns the database; restore refuses while a server runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextSink as Sink } from '../text-sink.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli.ts';
import { loadConfig } from '../config.ts';
import { all, exec, openDb } from '../db.ts';
import { runPipeline } from '../run.ts';
import { servingTable } from '../run-schema.ts';
import { createContext } from '../commands/context.ts';
import { startServer } from '../commands/serve.ts';
import { resultFingerprints } from './chaos-helpers.ts';
import { BASE_DIR } from './corpus.ts';

const AS_OF = '2026-03-31';

let tmp: string;
let dbFile: string;
let inbox: string;
const env = () => ({ TRELLIS_DB: dbFile, TRELLIS_INBOX: inbox, TRELLIS_AS_OF: AS_OF });
async function cli(...argv: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(argv, { stdout, stderr, env: env(), cwd: tmp });
  return { code, out: stdout.text, err: stderr.text };
}
async function fingerprints(file: string) {
  const db = await openDb(file);
  const conn = await db.connect();
  try {
    return await resultFingerprints(conn);
  } finally {
    conn.closeSync();
    db.close();
  }
}
async function run(extra?: [string, string]) {
  if (extra) fs.writeFileSync(path.join(inbox, extra[0]), extra[1]);
  const db = await openDb(dbFile);
  try {
    const s = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli' });
    expect(s.status, s.error ?? '').toBe('succeeded');
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-backup-'));
  dbFile = path.join(tmp, 'data', 'trellis.duckdb');
  inbox = path.join(tmp, 'inbox');
  fs.mkdirSync(inbox, { recursive: true });
  fs.cpSync(BASE_DIR, inbox, { recursive: true });
  await run();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('trellis backup and restore', () => {
  it('backs up to a file that holds exactly the results; refuses to overwrite without --force', async () => {
    const before = await fingerprints(dbFile);
    const out = path.join(tmp, 'b1.duckdb');
    const r = await cli('backup', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/backup written to .*b1\.duckdb: \d+ tables, .* results of run 1 \(as of 2026-03-31\)/);
    expect(await fingerprints(out)).toEqual(before);
    expect(Object.keys(before)).toContain('career_path_state');
    expect(fs.readdirSync(tmp).filter((f) => f.includes('partial') || f.endsWith('.wal'))).toEqual([]);

    const again = await cli('backup', '--out', out);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists; choose another name or add --force/);
    expect((await cli('backup')).err).toMatch(/--out FILE is required/);
  });

  it('restores a backup over a database that moved on, keeping the replaced one aside', async () => {
    const atBackup = await fingerprints(dbFile);
    const out = path.join(tmp, 'b2.duckdb');
    expect((await cli('backup', '--out', out)).code).toBe(0);
    await run(['check_ins_more.csv', 'employee_id,week_of,pulse\nE2,2026-03-23,2\n']);
    const moved = await fingerprints(dbFile);
    expect(moved).not.toEqual(atBackup);

    const r = await cli('restore', '--from', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/restored .* results of run 1 .*kept as .*before-restore/);
    expect(await fingerprints(dbFile)).toEqual(atBackup);
    expect(await fingerprints(`${dbFile}.before-restore`)).toEqual(moved);
    // and the restored database takes runs again
    await run(['check_ins_again.csv', 'employee_id,week_of,pulse\nE2,2026-03-30,3\n']);
  });

  it('refuses to restore a file that is not a database', async () => {
    const junk = path.join(tmp, 'junk.duckdb');
    fs.writeFileSync(junk, 'not a database');
    const before = await fingerprints(dbFile);
    const r = await cli('restore', '--from', junk);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/junk\.duckdb is not a Trellis backup/);
    expect((await cli('restore', '--from', path.join(tmp, 'nope.duckdb'))).err).toMatch(/does not exist/);
    expect(await fingerprints(dbFile)).toEqual(before);
  });

  it('a backup taken during an open transaction holds only committed data', async () => {
    const db = await openDb(dbFile);
    const writer = await db.connect();
    const committed = await resultFingerprints(writer);
    const employees = await servingTable(writer, 'src_employees');
    await exec(writer, 'begin');
    await exec(writer, `delete from ${employees}`);
    const { backupDatabase } = await import('../commands/backup.ts');
    const out = path.join(tmp, 'b3.duckdb');
    const info = await backupDatabase(db, out);
    await exec(writer, 'rollback');
    writer.closeSync();
    db.close();
    expect(info.runId).toBeGreaterThan(0);
    expect(await fingerprints(out)).toEqual(committed);
  });

  it('goes through the server when one owns the database; restore is refused while it runs', async () => {
    const db = await openDb(dbFile);
    const config = { ...loadConfig({ env: env(), cwd: tmp }), port: 0 };
    const ctx = createContext({ stdout: new Sink(), stderr: new Sink(), env: env(), cwd: tmp });
    const server = await startServer(ctx, db, config, { scheduleExpr: null });
    try {
      const expected = await (async () => { const c = await db.connect(); try { return await resultFingerprints(c); } finally { c.closeSync(); } })();
      const out = path.join(tmp, 'via-server.duckdb');
      const r = await cli('backup', '--out', out);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/backing up through the server \(pid \d+/);
      expect(await fingerprints(out)).toEqual(expected);

      const refused = await cli('restore', '--from', out);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/the server \(pid \d+, port \d+\) is using .*; stop it .* and run restore again/);
      const conn = await db.connect();
      expect(await all(conn, 'select count(*)::INTEGER as n from src_employees')).toEqual([{ n: 3 }]);
      conn.closeSync();
    } finally {
      await server.close();
      db.close();
    }
  });
});
