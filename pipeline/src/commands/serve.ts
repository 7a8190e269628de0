// `trellis serve`: the dashboard server on an existing database, with the scheduled pipeline run.
// The server owns the database while it runs and says so in `<db>.server.json`.
import type { ModelSettings } from '../model-settings.ts';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { effectiveAsOf, mappingsDirFor, type Config } from '../config.ts';
import { all, type Db as Db } from '../db.ts';
import { discoverModels, modelsFingerprint } from '../models.ts';
import { runPipeline } from '../run.ts';
import { inboxProblem } from '../run-files.ts';
import { describeOutcome, SERVING_STATUS_SQL, withNotes } from '../run-outcome.ts';
import { createScheduler, serverTime, type Scheduler } from '../schedule.ts';
import { findServer, openDbExplained, serverFilePath } from '../server-link.ts';
import { line, parse, type Command, type CommandContext } from './context.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVER_MODULE = path.join(REPO_ROOT, 'dashboard', 'server', 'index.ts');

interface RunningServer {
  url: string;
  app: FastifyInstance;
  scheduler: Scheduler;
  close(): Promise<void>;
}

/** A minimal page for when the dashboard server is not part of this checkout. */
async function stubServer(): Promise<FastifyInstance> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.get('/api/health', async () => ({ status: 'ok' }));
  app.get('/', async (_req, reply) => reply.type('text/html').send(
    '<!doctype html><title>Trellis</title><h1>Trellis</h1><p>The pipeline ran; the dashboard server (dashboard/server) is not installed in this checkout.</p>'));
  return app;
}

/** Why the server could not listen, in words and with what to do (Node's own message names no way out). */
function listenProblem(err: NodeJS.ErrnoException, config: Pick<Config, 'port' | 'host'>): string {
  const where = `${config.host}:${config.port}`;
  if (err.code === 'EADDRINUSE') {
    return `port ${config.port} is already in use on ${config.host} (another Trellis, or another program, listens there): `
      + 'stop it, or choose another port with TRELLIS_PORT=N (trellis serve also takes --port N)';
  }
  if (err.code === 'EACCES') {
    return `not allowed to listen on ${where}${config.port < 1024 ? ': ports below 1024 need root; use a port such as 8080 (behind a reverse proxy for 80 or 443)' : ''}`;
  }
  if (err.code === 'EADDRNOTAVAIL') return `${config.host} is not an address of this machine (TRELLIS_HOST): use 127.0.0.1, 0.0.0.0 or one of its addresses`;
  return `could not listen on ${where}: ${err.message}`;
}

/** Start the server on `db` (owned by this process from now on) with the schedule. */
export async function startServer(
  ctx: CommandContext, db: Db, config: Config, opts: { inbox?: string; scheduleExpr?: string | null; staticDir?: string } = {},
): Promise<RunningServer> {
  const inbox = opts.inbox ?? config.inbox;
  const mappingsDir = mappingsDirFor(config, inbox);
  const token = randomBytes(32).toString('hex');
  let app: FastifyInstance;
  let runInServer: ((reason: string) => Promise<string | null>) | null = null;
  if (fs.existsSync(SERVER_MODULE)) {
    const mod = await import(pathToFileURL(SERVER_MODULE).href) as { buildServer(o: unknown): Promise<FastifyInstance> };
    app = await mod.buildServer({
      config: { ...config, inbox, mappingsDir, ...(opts.staticDir ? { staticDir: opts.staticDir } : {}) },
      db, localToken: token, errorLog: (text: string) => line(ctx.stderr, text),
    });
    const runner = (app as FastifyInstance & {
      pipelineRunner?: { start(db: Db, o: unknown): Promise<unknown>; idle(): Promise<void>; state: { outcome: string | null; notes: string[] } };
    }).pipelineRunner;
    if (runner) {
      // through the server's runner, so the dashboard sees the scheduled run's progress
      runInServer = async (reason) => {
        await runner.start(db, { inbox, mappingsDir, asOf: effectiveAsOf(config), historyMonths: config.historyMonths, trigger: reason === 'schedule' ? 'schedule' : 'api', maxRejectsPerFile: config.maxRejectsPerFile, mappingLimits: config, settings: config });
        await runner.idle();
        return runner.state.outcome === null ? null : withNotes(runner.state.outcome, runner.state.notes);
      };
    }
  } else {
    app = await stubServer();
  }
  const run = runInServer ?? (async (reason: string) => {
    const summary = await runPipeline(db, {
      inbox, mappingsDir, asOf: effectiveAsOf(config), historyMonths: config.historyMonths, trigger: reason === 'schedule' ? 'schedule' : 'api', maxRejectsPerFile: config.maxRejectsPerFile,
      mappingLimits: config, settings: config,
    });
    return withNotes(describeOutcome(summary), summary.notes);
  });
  const outdated = await modelsChangedSinceLastRun(db, config);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app.close();
    throw new Error(listenProblem(err as NodeJS.ErrnoException, config));
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const file = serverFilePath(db.path);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ pid: process.pid, port, token }), { mode: 0o600 });
  fs.chmodSync(`${file}.tmp`, 0o600); // also when a stale .tmp was there (writeFileSync keeps its mode)
  fs.renameSync(`${file}.tmp`, file);
  const logger = {
    info: (m: string) => line(ctx.stderr, m),
    warn: (m: string) => line(ctx.stderr, m),
    error: (m: string) => line(ctx.stderr, m),
  };
  const expr = opts.scheduleExpr === undefined ? config.schedule : opts.scheduleExpr;
  const scheduler = createScheduler({ expr, run, logger, name: 'pipeline' });
  if (outdated) {
    // An upgraded Trellis serving marts built by the SQL of the version before: rebuild them now rather
    // than answer with the old definitions (or fail on a column they lack) until the next scheduled run.
    logger.info('the SQL models changed since the last run (Trellis was upgraded): rebuilding them now');
    scheduler.trigger('models changed');
  }
  const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${shownHost}:${port}`,
    app,
    scheduler,
    async close() {
      await scheduler.stop();
      await scheduler.idle();
      await app.close();
      try {
        const info = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number };
        if (info.pid === process.pid) fs.rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/** Whether the serving results were built by other model SQL than this checkout's (null fingerprint: none yet). */
export async function modelsChangedSinceLastRun(db: Db, settings?: Partial<ModelSettings>): Promise<boolean> {
  const conn = await db.connect();
  try {
    const tables = await all(conn, "select 1 from information_schema.tables where table_name = 'runs'");
    if (tables.length === 0) return false;
    const [last] = await all<{ models_sha256: string | null }>(conn,
      `select models_sha256 from runs where ${SERVING_STATUS_SQL} order by run_id desc limit 1`);
    return last !== undefined && last.models_sha256 !== modelsFingerprint(discoverModels(), settings);
  } finally {
    conn.closeSync();
  }
}

/**
 * The first account: with TRELLIS_ADMIN_PASSWORD and no account yet, create `admin`; with neither,
 * say how to add one.
 */
async function ensureFirstAdmin(ctx: CommandContext, db: Db, config: Config): Promise<void> {
  const file = path.join(REPO_ROOT, 'pipeline', 'src', 'users.ts');
  if (!fs.existsSync(file)) return;
  const users = await import(pathToFileURL(file).href) as {
    listUsers(c: unknown): Promise<unknown[]>;
    addUser(c: unknown, u: { username: string; role: string; password: string }): Promise<unknown>;
  };
  const conn = await db.connect();
  try {
    if ((await users.listUsers(conn)).length > 0) return;
    if (config.adminPassword) {
      await users.addUser(conn, { username: 'admin', role: 'admin', password: config.adminPassword });
      line(ctx.stdout, 'Created the account admin (password from TRELLIS_ADMIN_PASSWORD)');
    } else {
      line(ctx.stdout, 'No accounts yet: add one with  trellis user add --username NAME --role admin --password-stdin  (or set TRELLIS_ADMIN_PASSWORD)');
    }
  } finally {
    conn.closeSync();
  }
}

/** Keep serving until the process is asked to stop. */
export async function serveUntilStopped(ctx: CommandContext, server: RunningServer, db: Db): Promise<number> {
  const signal = await (ctx.stopSignal?.() ?? new Promise<string>(() => {}));
  line(ctx.stderr, `${signal}: stopping`);
  await server.close();
  db.close();
  return 0;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start the dashboard server on the database, with the scheduled run',
  usage: `Usage: trellis serve [--db FILE] [--port N] [--no-schedule]

Starts the dashboard and API on an existing database (TRELLIS_HOST:TRELLIS_PORT, default
127.0.0.1:3000) and runs the pipeline on TRELLIS_SCHEDULE (default '0 2 * * *', every day at 02:00).
While it runs, \`trellis run\`, \`trellis export\` and \`trellis user\` go through it.

Options:
  --db FILE        DuckDB file (default TRELLIS_DB or data/trellis.duckdb)
  --port N         port (default TRELLIS_PORT or 3000)
  --no-schedule    no scheduled runs (runs start from the dashboard or \`trellis run\`)
  -h, --help       this help`,
  async run(args, ctx) {
    const { values } = parse(args, { db: { type: 'string' }, port: { type: 'string' }, 'no-schedule': { type: 'boolean' } });
    if (values.help) { line(ctx.stdout, this.usage); return 0; }
    const base = ctx.config();
    const port = values.port === undefined ? base.port : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port "${values.port}" is not a port number`);
    const config: Config = { ...base, port, db: values.db ? path.resolve(ctx.cwd, values.db) : base.db };
    const other = await findServer(config.db);
    if (other) {
      line(ctx.stdout, `Trellis is already serving ${config.db} (pid ${other.pid}) at http://localhost:${other.port}`);
      return 0;
    }
    const db = await openDbExplained(config.db, { memoryLimitMb: config.memoryLimitMb });
    await ensureFirstAdmin(ctx, db, config);
    const server = await startServer(ctx, db, config, { scheduleExpr: values['no-schedule'] ? null : config.schedule });
    const next = server.scheduler.nextRun();
    line(ctx.stdout, `Trellis is running at ${server.url}  (schedule: ${next ? `${config.schedule} in server time, next run ${serverTime(next)}` : 'off'}; Ctrl+C stops it)`);
    const problem = inboxProblem(config.inbox);
    if (problem) line(ctx.stderr, `note: ${problem}: runs find no files until it does (an upload on the Pipeline page creates it; TRELLIS_INBOX names another)`);
    return serveUntilStopped(ctx, server, db);
  },
};
