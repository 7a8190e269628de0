import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextSink as Sink } from './text-sink.ts';
import { tableFromIPC } from 'apache-arrow';
import { all, exec, openDb } from './db.ts';
import { COMMANDS, main } from './cli.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const ORG = path.join(REPO, 'fixtures', 'orgs', 'paths');
const AS_OF = fs.readFileSync(path.join(ORG, 'as_of.txt'), 'utf8').trim();

/** Naive CSV split (the fixture has no quoted commas in these columns). */
function readCsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trim().split(/\r?\n/);
  const cols = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
}

describe('trellis CLI', () => {
  let tmp: string;
  let env: Record<string, string>;
  const cli = async (...argv: string[]) => {
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await main(argv, { stdout, stderr, env, cwd: tmp });
    return { code, out: stdout.text, err: stderr.text, bytes: stdout.bytes };
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-cli-'));
    fs.mkdirSync(path.join(tmp, 'inbox'));
    for (const f of fs.readdirSync(ORG).filter((x) => x.endsWith('.csv'))) fs.copyFileSync(path.join(ORG, f), path.join(tmp, 'inbox', f));
    env = { TRELLIS_DB: 'db/trellis.duckdb', TRELLIS_INBOX: 'inbox' };
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help prints its usage', async (name) => {
    const r = await cli(name, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`Usage:\\s+trellis ${name}`));
  });

  it('names unknown commands and bad options in one line with a non-zero exit', async () => {
    expect(await cli('frobnicate')).toMatchObject({ code: 2, err: expect.stringMatching(/^trellis: unknown command "frobnicate"/) });
    const bad = await cli('run', '--as-of', '2026-02-30');
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toEqual([expect.stringMatching(/--as-of "2026-02-30" is not an existing date/)]);
    env.TRELLIS_PORT = 'abc';
    const cfg = await cli('run');
    delete env.TRELLIS_PORT;
    expect(cfg.code).toBe(1);
    expect(cfg.err).toMatch(/^trellis run: environment variable TRELLIS_PORT: "abc" is not a port number/);
  });

  it('run loads the inbox into a new database and reports per file', async () => {
    const r = await cli('run', '--as-of', AS_OF);
    expect(r.err).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^run 1 succeeded \\(as of ${AS_OF}\\)`));
    expect(r.out).toMatch(/employees\.csv\s+loaded\s+\d+ rows/);
    expect(r.err).toMatch(/\[models\] building \w+ \(1\/\d+\)/);
    expect(fs.existsSync(path.join(tmp, 'inbox', 'archive', '1', 'employees.csv'))).toBe(true);
  });

  it('export writes CSV to stdout matching the loaded data', async () => {
    const r = await cli('export', 'headcount');
    expect(r.code).toBe(0);
    const rows = readCsv(r.out);
    expect(Object.keys(rows[0])).toEqual(['as_of', 'department', 'n_active']);
    const employees = readCsv(fs.readFileSync(path.join(ORG, 'employees.csv'), 'utf8'));
    const active = employees.filter((e) => e.hire_date <= AS_OF && (!e.termination_date || e.termination_date > AS_OF));
    expect(rows.reduce((s, x) => s + Number(x.n_active), 0)).toBe(active.length);
  });

  it('export writes parquet, json and arrow files with the same rows', async () => {
    const n = readCsv((await cli('export', 'stg_employees')).out).length;
    expect(n).toBeGreaterThan(0);
    for (const format of ['parquet', 'json', 'arrow']) {
      const out = path.join(tmp, `out.${format}`);
      const r = await cli('export', 'stg_employees', '--out', out);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(new RegExp(`exported ${n} rows of stg_employees as ${format}`));
    }
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'out.json'), 'utf8'))).toHaveLength(n);
    const arrow = tableFromIPC(fs.readFileSync(path.join(tmp, 'out.arrow')));
    expect(arrow.numRows).toBe(n);
    expect(arrow.schema.fields.map((f) => f.name)).toContain('hire_date');
    const db = await openDb(':memory:');
    const conn = await db.connect();
    expect(await all(conn, `select count(*)::int as n from read_parquet('${path.join(tmp, 'out.parquet')}')`)).toEqual([{ n }]);
    conn.closeSync();
  });

  it('CSV export neutralises formula cells (text and ENUM columns); the table name is checked against the catalog', async () => {
    const db = await openDb(path.join(tmp, 'db', 'trellis.duckdb'));
    const conn = await db.connect();
    await exec(conn, `create or replace table formula_probe as select v, n, v::ENUM('=1+1', '@SUM(A1)', '+x', '-y', 'plain') as e
      from (values ('=1+1', -5), ('@SUM(A1)', 1), ('+x', 2), ('-y', 3), ('plain', 4)) t(v, n)`);
    conn.closeSync();
    db.close();
    const r = await cli('export', 'formula_probe', '--format', 'csv');
    expect(r.code).toBe(0);
    expect(readCsv(r.out)).toEqual([
      { v: "'=1+1", n: '-5', e: "'=1+1" }, { v: "'@SUM(A1)", n: '1', e: "'@SUM(A1)" }, { v: "'+x", n: '2', e: "'+x" },
      { v: "'-y", n: '3', e: "'-y" }, { v: 'plain', n: '4', e: 'plain' },
    ]);
    const injected = await cli('export', 'headcount; drop table runs');
    expect(injected.code).toBe(1);
    expect(injected.err).toMatch(/^trellis export: no table or model named "headcount; drop table runs"/);
    expect((await cli('export', 'users')).err).toMatch(/no table or model named "users"/);
    expect((await cli('export', 'headcount', '--format', 'xlsx')).code).toBe(2);
    const list = await cli('export', '--list');
    expect(list.out.split('\n')).toEqual(expect.arrayContaining(['headcount', 'runs', 'stg_employees']));
  });

  describe('when another process holds the database', () => {
    let child: ChildProcess;
    beforeAll(async () => {
      const dbFile = path.join(tmp, 'db', 'trellis.duckdb');
      child = spawn(process.execPath, ['--input-type=module', '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const i = await DuckDBInstance.create(${JSON.stringify(dbFile)});
         process.stdout.write('ready\\n');
         setInterval(() => {}, 1000);`], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('ready') && resolve()));
    });
    afterAll(async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    });

    it('says which process has it instead of a raw lock error', async () => {
      const r = await cli('run', '--as-of', AS_OF);
      expect(r.code).toBe(1);
      expect(r.err.trim()).toMatch(new RegExp(`^trellis run: the database .*trellis\\.duckdb is in use by process ${child.pid}; `));
      expect(r.err).not.toMatch(/IO Error/);
    });
  });

  describe('with a server owning the database', () => {
    let stop!: (s: string) => void;
    let serving: Promise<number>;
    const serverOut = new Sink();
    beforeAll(async () => {
      const stopped = new Promise<string>((resolve) => { stop = resolve; });
      serving = main(['serve', '--port', '0', '--no-schedule'], {
        stdout: serverOut, stderr: new Sink(), env: { ...env, TRELLIS_ADMIN_PASSWORD: 'correct-horse-9' }, cwd: tmp, stopSignal: () => stopped,
      });
      const file = path.join(tmp, 'db', 'trellis.duckdb.server.json');
      for (let i = 0; i < 100 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
      expect(fs.existsSync(file)).toBe(true);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    });
    afterAll(async () => {
      stop('test done');
      expect(await serving).toBe(0);
      expect(fs.existsSync(path.join(tmp, 'db', 'trellis.duckdb.server.json'))).toBe(false);
    });

    it('run goes through the server API', async () => {
      expect(serverOut.text).toMatch(/Trellis is running at http:\/\/localhost:\d+/);
      expect(serverOut.text).toMatch(/Created the account admin \(password from TRELLIS_ADMIN_PASSWORD\)/);
      fs.copyFileSync(path.join(ORG, 'reviews.csv'), path.join(tmp, 'inbox', 'reviews_2026.csv'));
      const r = await cli('run', '--as-of', AS_OF);
      expect(r.err).toMatch(/running in the server \(pid \d+, port \d+\)/);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^run \d+ no_change/); // nothing new, same as-of
      expect(r.out).toMatch(/reviews_2026\.csv\s+skipped/); // same content as the reviews.csv of run 1
    });

    it('user remove goes through the server API and refuses the last admin', async () => {
      const r = await cli('user', 'remove', '--username', 'admin');
      expect(r.code).toBe(2);
      expect(r.err).toBe('trellis user: admin is the last admin; add another admin first\n');
      expect((await cli('user', 'list')).out).toMatch(/^admin\s+admin/m);
    });

    it('export goes through the server API', async () => {
      const out = path.join(tmp, 'via-server.json');
      const r = await cli('export', 'headcount', '--out', out);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/through the server, pid \d+/);
      const direct = readCsv((await cli('export', 'headcount')).out);
      expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toHaveLength(direct.length);
    });

    it('export --list goes through the server API', async () => {
      const r = await cli('export', '--list');
      expect(r.err).toMatch(/the tables the server, pid \d+, exports/);
      expect(r.code).toBe(0);
      const listed = r.out.trim().split('\n');
      expect(listed).toEqual(expect.arrayContaining(['headcount', 'retention_risk', 'runs', 'stg_employees']));
      expect(listed).not.toContain('users');
      expect(listed).toEqual([...listed].sort());
    });
  });
});
