// `trellis run`: one pipeline run on the inbox, through the server when one owns the database.
import path from 'node:path';
import { effectiveAsOf, isIsoDate } from '../config.ts';
import { runPipeline, type RunSummary } from '../run.ts';
import { findServer, openDbExplained, runViaServer } from '../server-link.ts';
import { line, parse, progressPrinter, UsageError, type Command } from './context.ts';

const n = (v: number) => v.toLocaleString('en-US');

export function formatSummary(s: Pick<RunSummary, 'runId' | 'status' | 'asOf' | 'counts' | 'timings' | 'files' | 'error' | 'notes'>): string {
  const c = s.counts;
  const head = `run ${s.runId} ${s.status} (as of ${s.asOf}) in ${(s.timings.total / 1000).toFixed(1)} s: `
    + `${c.loaded} loaded, ${c.skipped} skipped, ${c.refused} refused, ${c.superseded} superseded; `
    + `${n(c.rowsLoaded)} rows loaded, ${n(c.rowsRejected)} rejected, ${n(c.rowsWarned)} warnings`;
  const width = Math.max(0, ...s.files.map((f) => f.file.length));
  const files = s.files.map((f) => `  ${f.file.padEnd(width)}  ${f.status.padEnd(10)} `
    + (f.status === 'loaded' ? `${n(f.rowsLoaded)} rows${f.rowsRejected ? `, ${n(f.rowsRejected)} rejected` : ''}${f.rowsWarned ? `, ${n(f.rowsWarned)} warnings` : ''}` : f.reason ?? ''));
  return [head, ...files, ...s.notes.map((x) => `  note: ${x}`)].join('\n');
}

export const runCommand: Command = {
  name: 'run',
  summary: 'load new files from the inbox and rebuild the models',
  usage: `Usage: trellis run [--inbox DIR] [--db FILE] [--as-of YYYY-MM-DD]

Loads the CSV/Parquet files in the inbox (files already loaded are skipped), rebuilds every model
and runs the model tests, all in one transaction: a failure leaves the previous results in place.
Loaded files move to <inbox>/archive/<run_id>/, refused ones to <inbox>/refused/ with a reason.
When a server owns the database, the run happens in the server (on its inbox).

Options:
  --inbox DIR          folder of new files (default TRELLIS_INBOX or data/inbox)
  --db FILE            DuckDB file (default TRELLIS_DB or data/trellis.duckdb)
  --as-of YYYY-MM-DD   the date the models are computed as of (default TRELLIS_AS_OF, else today)
  -h, --help           this help

Exit code: 0 when the run succeeded (or found nothing new), 1 when it failed.`,
  async run(args, ctx) {
    const { values } = parse(args, { inbox: { type: 'string' }, db: { type: 'string' }, 'as-of': { type: 'string' } });
    if (values.help) { line(ctx.stdout, this.usage); return 0; }
    if (values['as-of'] !== undefined && !isIsoDate(values['as-of'])) throw new UsageError(`--as-of "${values['as-of']}" is not an existing date written YYYY-MM-DD`);
    const config = ctx.config();
    const dbFile = values.db ? path.resolve(ctx.cwd, values.db) : config.db;
    const asOf = values['as-of'] ?? effectiveAsOf(config);
    const progress = progressPrinter(ctx.stderr);

    const server = await findServer(dbFile);
    if (server) {
      if (values.inbox) throw new UsageError(`the server (pid ${server.pid}) owns ${dbFile} and runs on its own inbox; drop the files there or stop the server to use --inbox`);
      line(ctx.stderr, `running in the server (pid ${server.pid}, port ${server.port})`);
      const r = await runViaServer(server, { asOf, onProgress: (message) => progress({ phase: 'server', message }) });
      line(ctx.stdout, `run ${r.runId} ${r.status} (as of ${asOf})`);
      for (const f of r.files) line(ctx.stdout, `  ${f.file}  ${f.status}  ${f.status === 'loaded' ? `${f.rows_loaded ?? 0} rows` : f.reason ?? ''}`);
      if (r.status === 'failed') { line(ctx.stderr, `trellis run: run ${r.runId} failed: ${(r.error ?? 'unknown error').split('\n')[0]}`); return 1; }
      return 0;
    }

    const db = await openDbExplained(dbFile);
    try {
      const summary = await runPipeline(db, {
        inbox: values.inbox ? path.resolve(ctx.cwd, values.inbox) : config.inbox,
        mappingsDir: config.mappingsDir, asOf, trigger: 'cli', maxRejectsPerFile: config.maxRejectsPerFile, mappingLimits: config,
        onProgress: (e) => progress({ phase: e.phase, message: e.message, done: e.done, total: e.total }),
      });
      line(ctx.stdout, formatSummary(summary));
      if (summary.status === 'failed') {
        line(ctx.stderr, `trellis run: run ${summary.runId} failed: ${(summary.error ?? 'unknown error').split('\n')[0]}`);
        return 1;
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
