// `trellis demo` (= `npm start`): load the demo org into a database that has no employees (generating
// it into data/demo-inbox when no employees file waits there), build the dashboard if it is not built
// (one line of output unless it fails), then serve it on http://localhost:3000 and print how to sign in,
// last, so it is what the terminal shows.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { effectiveAsOf, type Config } from '../config.ts';
import { datasetForFile } from '../datasets.ts';
import { one, tableExists, type Db } from '../db.ts';
import { runPipeline } from '../run.ts';
import { findServer, openDbExplained } from '../server-link.ts';
import type { DemoAccounts } from '../users.ts';
import { formatSummary } from './run.ts';
import { line, parse, progressPrinter, UsageError, type Command, type CommandContext } from './context.ts';
import { REPO_ROOT, serveUntilStopped, startServer } from './serve.ts';

const GENERATOR = path.join(REPO_ROOT, 'fixtures', 'generate.ts');
const USERS = path.join(REPO_ROOT, 'pipeline', 'src', 'users.ts');

/** The dashboard's build: the folder it writes (with index.html) and the command that writes it. */
export interface DashboardBuild { dir: string; command: string; args: string[]; cwd: string }

const DASHBOARD: DashboardBuild = { dir: path.join(REPO_ROOT, 'dashboard', 'build'), command: 'npm', args: ['run', 'build'], cwd: REPO_ROOT };

const isEmployeesFile = (name: string) => datasetForFile(name) === 'employees';

async function hasEmployees(db: Db): Promise<boolean> {
  const conn = await db.connect();
  try {
    if (!(await tableExists(conn, 'src_employees'))) return false;
    return Number((await one(conn, 'select count(*)::int as n from src_employees'))?.n) > 0;
  } finally {
    conn.closeSync();
  }
}

/** Generate the demo org into `inbox` (beside what is there, e.g. archive/), the employees file last. */
async function generateDemoOrg(ctx: CommandContext, inbox: string, employees: number, seed: number, asOf: string, plantedHazard = false): Promise<void> {
  if (!fs.existsSync(GENERATOR)) throw new Error(`the demo org generator (${GENERATOR}) is missing from this checkout`);
  const { generateOrg } = await import(pathToFileURL(GENERATOR).href) as {
    generateOrg(o: { employees: number; seed: number; asOf: string; out: string; format?: 'csv'; plantedHazard?: boolean }): Promise<{ files: string[] }>;
  };
  line(ctx.stderr, `generating the demo org (${employees} employees, seed ${seed}, as of ${asOf}${plantedHazard ? ', planted retention hazard' : ''}) into ${inbox}`);
  const tmp = `${inbox}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await generateOrg({ employees, seed, asOf, out: tmp, format: 'csv', plantedHazard });
  fs.mkdirSync(inbox, { recursive: true });
  // A start stopped while moving finds no employees file and generates again: a half org never loads alone.
  const files = fs.readdirSync(tmp).sort((a, b) => Number(isEmployeesFile(a)) - Number(isEmployeesFile(b)));
  for (const f of files) fs.renameSync(path.join(tmp, f), path.join(inbox, f));
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** Build the dashboard when it is not built: one line when it works, its whole output when it fails. */
async function buildDashboard(ctx: CommandContext, build: DashboardBuild): Promise<void> {
  if (fs.existsSync(path.join(build.dir, 'index.html'))) return;
  const shown = [path.basename(build.command), ...build.args].join(' ');
  line(ctx.stderr, `building the dashboard (${shown}; a minute or so, once)…`);
  const started = performance.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    // the production build, whatever NODE_ENV the shell (or a test runner) has
    const child = spawn(build.command, build.args, { cwd: build.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => chunks.push(d));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, output: Buffer.concat(chunks).toString() }));
  });
  if (code !== 0) {
    ctx.stderr.write(output);
    throw new Error(`building the dashboard failed: ${shown} exited with code ${code} (its output is above)`);
  }
  line(ctx.stderr, `dashboard built (${Math.round((performance.now() - started) / 1000)} s)`);
}

/** How to sign in: the address, the admin account and the demo accounts. */
function signIn(url: string | null, accounts: DemoAccounts | null): string[] {
  const out = [url ? `Trellis is running at ${url}  (Ctrl+C stops it)` : 'Loaded. Start the dashboard with  trellis serve  (or npm start)'];
  if (!accounts) return out;
  const { admin } = accounts;
  const adminPassword = admin.password
    ? `${admin.password}   (shown once; change it with: trellis user passwd --username admin --password-stdin)`
    : admin.created
      ? '(the password in TRELLIS_ADMIN_PASSWORD)'
      : '(the password printed when it was created; reset it with: trellis user passwd --username admin --password-stdin)';
  out.push('Sign in as:', `  ${admin.username} / ${adminPassword}`);
  for (const a of accounts.accounts) {
    const sees = a.role === 'employee' ? ` ${a.employeeId}, their own page "My path"` : a.employeeId ? ` of ${a.employeeId}'s team` : ', the whole org';
    out.push(`  ${a.username} / ${a.password}   (demo account: ${a.role}${sees})`);
  }
  return out;
}

/** `trellis demo` with the dashboard build to use (tests pass a stand-in for the Vite build). */
export async function runDemo(args: string[], ctx: CommandContext, dashboard: DashboardBuild = DASHBOARD): Promise<number> {
  const { values } = parse(args, { employees: { type: 'string' }, seed: { type: 'string' }, 'no-serve': { type: 'boolean' }, 'planted-hazard': { type: 'boolean' }, 'no-planted-hazard': { type: 'boolean' } });
  if (values.help) { line(ctx.stdout, demoCommand.usage); return 0; }
  const employees = values.employees === undefined ? 1500 : Number(values.employees);
  const seed = values.seed === undefined ? 42 : Number(values.seed);
  if (!Number.isInteger(employees) || employees < 1) throw new UsageError(`--employees "${values.employees}" is not a positive whole number`);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed "${values.seed}" is not a whole number`);
  const config: Config = ctx.config();
  const already = await findServer(config.db);
  if (already) {
    line(ctx.stdout, `Trellis is already running at http://localhost:${already.port} (pid ${already.pid})`);
    return 0;
  }
  const asOf = effectiveAsOf(config);
  const inbox = path.resolve(ctx.cwd, 'data', 'demo-inbox');
  const db = await openDbExplained(config.db, { memoryLimitMb: config.memoryLimitMb });
  let serving = false;
  try {
    const waiting = fs.existsSync(inbox) && fs.readdirSync(inbox).some(isEmployeesFile);
    if (!waiting && !(await hasEmployees(db))) await generateDemoOrg(ctx, inbox, employees, seed, asOf, !values['no-planted-hazard']);
    fs.mkdirSync(inbox, { recursive: true });
    const summary = await runPipeline(db, {
      inbox, asOf, historyMonths: config.historyMonths, trigger: 'demo', maxRejectsPerFile: config.maxRejectsPerFile, settings: config, onProgress: progressPrinter(ctx.stderr),
    });
    line(ctx.stderr, formatSummary(summary));
    if (summary.status === 'failed') {
      line(ctx.stderr, `trellis demo: the pipeline run failed: ${(summary.error ?? '').split('\n')[0]}`);
      return 1;
    }
    let accounts: DemoAccounts | null = null;
    if (fs.existsSync(USERS)) {
      const users = await import(pathToFileURL(USERS).href) as { ensureDemoAccounts?: (c: unknown, o: unknown) => Promise<DemoAccounts> };
      if (users.ensureDemoAccounts) {
        const conn = await db.connect();
        try {
          // printed below with the address, last
          accounts = await users.ensureDemoAccounts(conn, { adminPassword: config.adminPassword, print: () => {} });
        } finally {
          conn.closeSync();
        }
      }
    }
    if (values['no-serve']) {
      for (const l of signIn(null, accounts)) line(ctx.stdout, l);
      return 0;
    }
    await buildDashboard(ctx, dashboard);
    const server = await startServer(ctx, db, { ...config }, { inbox, staticDir: dashboard.dir });
    serving = true;
    for (const l of signIn(server.url, accounts)) line(ctx.stdout, l);
    return await serveUntilStopped(ctx, server, db);
  } finally {
    if (!serving) db.close();
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate a demo org, load it and open the dashboard (npm start)',
  usage: `Usage: trellis demo [--employees N] [--seed S] [--no-planted-hazard] [--no-serve]

The quickest look at Trellis: loads a synthetic org (1,500 employees, seed 42) into the database when
it has no employees (generated into data/demo-inbox when no employees file waits there), builds the
dashboard if needed, creates demo accounts and serves everything on http://localhost:3000
(TRELLIS_PORT). The address and how to sign in are printed last.

Options:
  --employees N   size of the generated org (default 1500)
  --seed S        generator seed (default 42)
  --no-planted-hazard  generate voluntary exits that do not depend on the risk flags. By default the demo
                  org's exits follow the flags with the planted effects of fixtures/README.md, so
                  "Does the score work?" judges a score that predicts something (the demo's world is
                  made that way; your own data is what tells whether it holds for you)
  --no-serve      stop after loading (no server)
  -h, --help      this help`,
  run: (args, ctx) => runDemo(args, ctx),
};
