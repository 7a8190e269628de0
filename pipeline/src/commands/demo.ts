// `trellis demo` (= `npm start`): generate the demo org if absent, run the pipeline on it, build the
// dashboard if it is not built, then serve it on http://localhost:3000.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { effectiveAsOf, type Config } from '../config.ts';
import { runPipeline } from '../run.ts';
import { findServer, openDbExplained } from '../server-link.ts';
import { formatSummary } from './run.ts';
import { line, parse, progressPrinter, UsageError, type Command, type CommandContext } from './context.ts';
import { REPO_ROOT, serveUntilStopped, startServer } from './serve.ts';

const GENERATOR = path.join(REPO_ROOT, 'fixtures', 'generate.ts');
const USERS = path.join(REPO_ROOT, 'pipeline', 'src', 'users.ts');

async function generateDemoOrg(ctx: CommandContext, out: string, employees: number, seed: number, asOf: string): Promise<void> {
  if (!fs.existsSync(GENERATOR)) throw new Error(`the demo org generator (${GENERATOR}) is missing from this checkout`);
  const { generateOrg } = await import(pathToFileURL(GENERATOR).href) as {
    generateOrg(o: { employees: number; seed: number; asOf: string; out: string; format?: 'csv' }): Promise<{ files: string[] }>;
  };
  line(ctx.stderr, `generating the demo org (${employees} employees, seed ${seed}, as of ${asOf}) into ${out}`);
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await generateOrg({ employees, seed, asOf, out: tmp, format: 'csv' });
  fs.renameSync(tmp, out); // a half-generated org is never taken for a whole one
}

/** `npm run build` when the dashboard is not built and the script exists. */
async function buildDashboard(ctx: CommandContext): Promise<void> {
  const index = path.join(REPO_ROOT, 'dashboard', 'build', 'index.html');
  if (fs.existsSync(index)) return;
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.build) return;
  line(ctx.stderr, 'building the dashboard (npm run build)…');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => ctx.stderr.write(d));
    child.stderr.on('data', (d) => ctx.stderr.write(d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited with code ${code}`))));
  });
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate a demo org, load it and open the dashboard (npm start)',
  usage: `Usage: trellis demo [--employees N] [--seed S] [--no-serve]

The quickest look at Trellis: generates a synthetic org (1,500 employees, seed 42) into
data/demo-inbox unless it is there already, runs the pipeline on it, builds the dashboard if needed,
creates demo accounts and serves everything on http://localhost:3000 (TRELLIS_PORT).

Options:
  --employees N   size of the generated org (default 1500)
  --seed S        generator seed (default 42)
  --no-serve      stop after loading (no server)
  -h, --help      this help`,
  async run(args, ctx) {
    const { values } = parse(args, { employees: { type: 'string' }, seed: { type: 'string' }, 'no-serve': { type: 'boolean' } });
    if (values.help) { line(ctx.stdout, this.usage); return 0; }
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
    if (!fs.existsSync(inbox)) await generateDemoOrg(ctx, inbox, employees, seed, asOf);

    const db = await openDbExplained(config.db);
    const summary = await runPipeline(db, {
      inbox, asOf, trigger: 'demo', maxRejectsPerFile: config.maxRejectsPerFile, onProgress: progressPrinter(ctx.stderr),
    });
    line(ctx.stderr, formatSummary(summary));
    if (summary.status === 'failed') {
      db.close();
      line(ctx.stderr, `trellis demo: the pipeline run failed: ${(summary.error ?? '').split('\n')[0]}`);
      return 1;
    }
    if (fs.existsSync(USERS)) {
      const users = await import(pathToFileURL(USERS).href) as { ensureDemoAccounts?: (c: unknown, o: unknown) => Promise<unknown> };
      if (users.ensureDemoAccounts) {
        const conn = await db.connect();
        try {
          await users.ensureDemoAccounts(conn, { adminPassword: config.adminPassword, print: (l: string) => line(ctx.stdout, l) });
        } finally {
          conn.closeSync();
        }
      }
    }
    if (values['no-serve']) {
      db.close();
      return 0;
    }
    await buildDashboard(ctx);
    const server = await startServer(ctx, db, { ...config }, { inbox });
    line(ctx.stdout, `Trellis is running at ${server.url}  (Ctrl+C stops it)`);
    return serveUntilStopped(ctx, server, db);
  },
};
