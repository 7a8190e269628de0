import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TextSink as Sink } from './text-sink.ts';
import { tableFromIPC } from 'apache-arrow';
import { all, exec, openDb } from './db.ts';
import { COMMANDS, main } from './cli.ts';
import { CONFIG_ENV_NAMES } from './config.ts';
import { createContext } from './commands/context.ts';
import { startServer } from './commands/serve.ts';

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

  it.each(COMMANDS.map((c) => c.name))('%s --help: every option it explains is in its Usage line', async (name) => {
    const text = (await cli(name, '--help')).out;
    const usage = text.slice(0, text.search(/\n\n|$/));
    const explained = [...text.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(explained.filter((flag) => !usage.includes(flag))).toEqual([]);
  });

  it('trellis --help names every configuration variable, and the README or docs/access.md explains each', async () => {
    const r = await cli('--help');
    const help = r.out.replace(/\s+/g, ' ');
    const docs = ['README.md', 'docs/access.md'].map((f) => fs.readFileSync(path.join(REPO, f), 'utf8')).join('\n');
    expect(CONFIG_ENV_NAMES).toContain('TRELLIS_HISTORY_MONTHS');
    expect(CONFIG_ENV_NAMES).toContain('TRELLIS_OIDC_ISSUER');
    expect(CONFIG_ENV_NAMES.filter((v) => !help.includes(v))).toEqual([]);
    expect(CONFIG_ENV_NAMES.filter((v) => !docs.includes(`\`${v}\``))).toEqual([]);
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

  it('run refuses an inbox that does not exist or is not a folder, before opening the database', async () => {
    const missing = await cli('run', '--inbox', 'no-such-inbox', '--db', 'nowhere/trellis.duckdb');
    expect(missing.code).toBe(2);
    expect(missing.err.trim()).toBe(`trellis run: the inbox ${path.join(tmp, 'no-such-inbox')} does not exist: create it and drop the exports there, `
      + 'or name the folder they are in with --inbox or TRELLIS_INBOX (trellis run --help)');
    fs.writeFileSync(path.join(tmp, 'a-file'), '');
    const file = await cli('run', '--inbox', 'a-file', '--db', 'nowhere/trellis.duckdb');
    expect(file.code).toBe(2);
    expect(file.err).toContain(`the inbox ${path.join(tmp, 'a-file')} is not a folder`);
    expect(fs.existsSync(path.join(tmp, 'nowhere'))).toBe(false); // nothing run, no database made
  });

  it('run loads the inbox into a new database and reports per file', async () => {
    const r = await cli('run', '--as-of', AS_OF);
    expect(r.err).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^run 1 succeeded \\(as of ${AS_OF}\\)`));
    expect(r.out).toMatch(/employees\.csv\s+employees\s+loaded\s+\d+ rows/);
    expect(r.err).toMatch(/\[models\] building \w+ \(1\/\d+\)/);
    expect(fs.existsSync(path.join(tmp, 'inbox', 'archive', '1', 'employees.csv'))).toBe(true);
  });

  it('run --inbox DIR reads the mappings folder beside DIR (unless TRELLIS_MAPPINGS says where) and names it when a file is placed nowhere', async () => {
    const other = path.join(tmp, 'other');
    const maps = path.join(other, 'mappings');
    fs.mkdirSync(path.join(other, 'in'), { recursive: true });
    fs.mkdirSync(maps);
    const presets = path.join(REPO, 'fixtures', 'mappings');
    fs.copyFileSync(path.join(presets, 'bamboohr-employees.yml'), path.join(maps, 'bamboohr-employees.yml'));
    fs.copyFileSync(path.join(presets, 'samples', 'bamboohr_employees_2024-06-30.csv'), path.join(other, 'in', 'bamboohr_employees_2024-06-30.csv'));
    fs.writeFileSync(path.join(other, 'in', 'payroll.csv'), 'a,b\n1,2\n');
    const r = await cli('run', '--inbox', 'other/in', '--db', 'other/trellis.duckdb', '--as-of', '2024-06-30');
    expect(r.code).toBe(3); // committed, but payroll.csv was refused
    expect(r.out).toMatch(/bamboohr_employees_2024-06-30\.csv\s+employees\s+loaded\s+12 rows/);
    expect(r.out).toMatch(/payroll\.csv +— +refused +payroll\.csv: the file name names no dataset and no column mapping matches it; .*, or place it with a column mapping/);
    expect(r.out).toContain(`in the mappings folder searched: ${maps}\n`);

    // an explicit mappings folder wins over the one beside --inbox
    fs.copyFileSync(path.join(presets, 'samples', 'bamboohr_employees_2024-06-30.csv'), path.join(other, 'in', 'bamboohr_employees_2.csv'));
    fs.appendFileSync(path.join(other, 'in', 'bamboohr_employees_2.csv'), '\n');
    const explicit = await main(['run', '--inbox', 'other/in', '--db', 'other/trellis.duckdb', '--as-of', '2024-06-30'],
      { stdout: new Sink(), stderr: new Sink(), env: { ...env, TRELLIS_MAPPINGS: 'nowhere' }, cwd: tmp });
    expect(explicit).toBe(3);
    expect(fs.readFileSync(path.join(other, 'in', 'refused', 'bamboohr_employees_2.csv.reason.txt'), 'utf8'))
      .toContain(`in the mappings folder searched: ${path.join(tmp, 'nowhere')}\n`);
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
    // a typo gets the name it was a typo of; an .xlsx file name is refused rather than given CSV inside
    expect((await cli('export', 'headcont')).err).toMatch(/no table or model named "headcont" to export; did you mean headcount\? /);
    expect((await cli('export', 'stg_employes')).err).toMatch(/did you mean stg_employees\? /);
    const xlsx = await cli('export', 'headcount', '--out', 'report.xlsx');
    expect(xlsx.code).toBe(2);
    expect(xlsx.err).toMatch(/--out "report\.xlsx": \.xlsx is not a format Trellis writes; name the file \.csv \(Excel opens it\)/);
    expect(fs.existsSync(path.join(tmp, 'report.xlsx'))).toBe(false);
    expect((await cli('export', 'headcount', '--out', 'report.txt', '--format', 'csv')).code).toBe(0);
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
      expect(r.out).toMatch(/reviews_2026\.csv\s+reviews\s+skipped/); // same content as the reviews.csv of run 1
    });

    it('run through the server exits 3 when the run committed with issues, and lists each file with its dataset', async () => {
      fs.writeFileSync(path.join(tmp, 'inbox', 'check_ins_bad.csv'), 'employee_id,week_of,pulse\nNOBODY,2026-03-02,4\n');
      fs.writeFileSync(path.join(tmp, 'inbox', 'vendor.csv'), 'a\n1\n');
      const r = await cli('run', '--as-of', AS_OF);
      expect(r.code).toBe(3);
      expect(r.out).toMatch(/^run \d+ succeeded_with_issues/);
      expect(r.out).toMatch(/check_ins_bad\.csv +check_ins +loaded +0 rows, 1 rejected/);
      expect(r.out).toMatch(/vendor\.csv +— +refused +vendor\.csv: the file name names no dataset/);
      expect(r.err).toMatch(/trellis run: run \d+ succeeded with issues: 1 file refused, 1 row rejected; the rest is committed \(exit code 3\)/);
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

describe('trellis serve: a port it cannot listen on', () => {
  it('says the port is in use and how to choose another, and closes what it opened', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-port-'));
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    const ctx = createContext({ stdout: new Sink(), stderr: new Sink(), env: {}, cwd: tmp });
    const db = await openDb(path.join(tmp, 'trellis.duckdb'));
    try {
      await expect(startServer(ctx, db, { ...ctx.config(), port }, { scheduleExpr: null }))
        .rejects.toThrow(`port ${port} is already in use on 127.0.0.1 (another Trellis, or another program, listens there): `
          + 'stop it, or choose another port with TRELLIS_PORT=N (trellis serve also takes --port N)');
      expect(fs.existsSync(path.join(tmp, 'trellis.duckdb.server.json'))).toBe(false);
    } finally {
      busy.close();
      db.close();
    }
  });
});

describe('trellis serve: the scheduled run', () => {
  it('logs how the run ended (committed with issues is not a plain "finished"), and the run\'s notes under it', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-sched-'));
    fs.mkdirSync(path.join(tmp, 'inbox'));
    for (const f of fs.readdirSync(ORG).filter((x) => x.endsWith('.csv'))) fs.copyFileSync(path.join(ORG, f), path.join(tmp, 'inbox', f));
    fs.writeFileSync(path.join(tmp, 'inbox', 'vendor.csv'), 'a\n1\n');
    const stderr = new Sink();
    const ctx = createContext({ stdout: new Sink(), stderr, env: { TRELLIS_INBOX: 'inbox', TRELLIS_AS_OF: AS_OF }, cwd: tmp });
    const db = await openDb(path.join(tmp, 'trellis.duckdb'));
    const server = await startServer(ctx, db, { ...ctx.config(), port: 0 }, { scheduleExpr: null });
    let notes: string[];
    try {
      server.scheduler.trigger('schedule');
      await server.scheduler.idle();
      const conn = await db.connect();
      notes = (await all<{ note: string }>(conn, 'select note from run_notes where run_id = 1 order by position')).map((r) => r.note);
      conn.closeSync();
    } finally {
      await server.close();
      db.close();
    }
    expect(notes.length).toBeGreaterThan(0);
    expect(stderr.text).toContain(['[pipeline] run finished (schedule): run 1 succeeded with issues: 1 file refused',
      ...notes.map((n) => `  note: ${n}`)].join('\n') + '\n');
  });
});
