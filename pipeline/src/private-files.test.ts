// The database, its WAL and spill folder, backups and the server file are private to the user running
// Trellis (0600 files, 0700 folders), whatever the umask it was started with; an older database that
// others could read is tightened when opened. Real CLI (main), real DuckDB files, real server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import { backupDatabase } from './commands/backup.ts';
import { exec, openDb } from './db.ts';
import { databaseFiles, keepNewFilesPrivate } from './private-files.ts';
import { findServer } from './server-link.ts';
import { TextSink as Sink } from './text-sink.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const ORG = path.join(REPO, 'fixtures', 'orgs', 'paths');
const AS_OF = fs.readFileSync(path.join(ORG, 'as_of.txt'), 'utf8').trim();
const mode = (file: string) => fs.statSync(file).mode & 0o777;

let tmp: string;
let dbFile: string;
let umaskBefore: number;
const env = () => ({ TRELLIS_DB: dbFile, TRELLIS_INBOX: path.join(tmp, 'inbox'), TRELLIS_AS_OF: AS_OF });

async function cli(argv: string[], stopSignal?: () => Promise<string>) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(argv, { stdout, stderr, env: env(), cwd: tmp, stopSignal });
  return { code, out: stdout.text, err: stderr.text };
}

beforeAll(() => {
  umaskBefore = process.umask();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-private-'));
  dbFile = path.join(tmp, 'data', 'db', 'trellis.duckdb');
  fs.mkdirSync(path.join(tmp, 'inbox'));
  for (const f of fs.readdirSync(ORG).filter((x) => x.endsWith('.csv'))) fs.copyFileSync(path.join(ORG, f), path.join(tmp, 'inbox', f));
});

// A usual login umask, under which DuckDB alone makes 0644 files and 0755 folders.
beforeEach(() => { process.umask(0o022); });

afterAll(() => {
  process.umask(umaskBefore);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('private files', () => {
  it('trellis run: the folders it creates are 0700, the database 0600, the inbox archive 0700', async () => {
    const r = await cli(['run']);
    expect(r.code, r.err).toBe(0);
    expect(mode(path.join(tmp, 'data'))).toBe(0o700);
    expect(mode(path.dirname(dbFile))).toBe(0o700);
    expect(mode(dbFile)).toBe(0o600);
    expect(mode(path.join(tmp, 'inbox', 'archive'))).toBe(0o700);
  });

  it('an older database that others can read is made private on open, and says so', async () => {
    fs.chmodSync(dbFile, 0o644);
    fs.mkdirSync(`${dbFile}.tmp`, { mode: 0o755 });
    fs.chmodSync(`${dbFile}.tmp`, 0o755);
    const notices: string[] = [];
    const db = await openDb(dbFile, { notice: (l) => notices.push(l) });
    db.close();
    expect(mode(dbFile)).toBe(0o600);
    expect(mode(`${dbFile}.tmp`)).toBe(0o700);
    expect(notices).toEqual([
      `trellis: ${dbFile} was readable by others (mode 644); made it private to its owner (it holds HR data)`,
      `trellis: ${dbFile}.tmp was readable by others (mode 755); made it private to its owner (it holds HR data)`,
    ]);
    const again: string[] = [];
    (await openDb(dbFile, { notice: (l) => again.push(l) })).close();
    expect(again).toEqual([]);
    fs.chmodSync(dbFile, 0o640); // through the CLI too
    expect((await cli(['export', '--list'])).code).toBe(0);
    expect(mode(dbFile)).toBe(0o600);
  });

  it('backups are 0600, written by the CLI or by backupDatabase under any umask', async () => {
    const out = path.join(tmp, 'backup-cli.duckdb');
    expect((await cli(['backup', '--out', out])).code).toBe(0);
    expect(mode(out)).toBe(0o600);
    const db = await openDb(dbFile);
    try {
      process.umask(0o022);
      const direct = path.join(tmp, 'backup-direct.duckdb');
      await backupDatabase(db, direct);
      expect(mode(direct)).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('the WAL a write leaves is private under the umask the CLI sets', async () => {
    keepNewFilesPrivate(); // what main() does first
    const file = path.join(tmp, 'wal-probe.duckdb');
    const db = await openDb(file);
    try {
      const conn = await db.connect();
      await exec(conn, 'create table probe (a integer)');
      await exec(conn, 'insert into probe values (1)');
      conn.closeSync();
      expect(mode(`${file}.wal`)).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('trellis serve: the server file and the database are private; so is a backup through the server', async () => {
    let stop!: (s: string) => void;
    const stopped = new Promise<string>((resolve) => { stop = resolve; });
    const serving = cli(['serve', '--port', '0', '--no-schedule'], () => stopped);
    try {
      const serverFile = `${dbFile}.server.json`;
      for (let i = 0; i < 100 && !fs.existsSync(serverFile); i++) await new Promise((r) => setTimeout(r, 100));
      const link = await findServer(dbFile);
      expect(link).not.toBeNull();
      // every file of the database, each time we look (DuckDB checkpoints the WAL away now and then)
      const seen: Record<string, number> = {};
      const look = () => {
        for (const f of databaseFiles(dbFile)) if (fs.existsSync(f)) seen[path.basename(f)] = mode(f);
      };
      look();
      // a write through the server (the WAL, when DuckDB has not checkpointed it away yet, is checked too)
      const added = await fetch(`${link!.base}/api/users`, {
        method: 'POST', headers: { authorization: `Bearer ${link!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'wal-probe', role: 'leader', password: 'long-enough-1' }),
      });
      expect(added.status).toBe(201);
      look();
      expect(seen).toMatchObject({ 'trellis.duckdb': 0o600, 'trellis.duckdb.server.json': 0o600 });
      expect(Object.values(seen).every((m) => (m & 0o077) === 0)).toBe(true);
      const out = path.join(tmp, 'backup-server.duckdb');
      const r = await cli(['backup', '--out', out]);
      expect(r.err).toMatch(/backing up through the server/);
      expect(mode(out)).toBe(0o600);
    } finally {
      stop('test done');
      expect((await serving).code).toBe(0);
    }
  });
});
