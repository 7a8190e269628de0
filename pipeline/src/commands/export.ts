// `trellis export <table>`: any model or table as CSV, Parquet, JSON or Arrow.
import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_FORMATS, exportableTables, exportTable, exportToBuffer, isExportFormat, type ExportFormat } from '../export.ts';
import { exportListViaServer, exportViaServer, findServer, openDbExplained } from '../server-link.ts';
import { line, parse, UsageError, type Command } from './context.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a model or table to CSV, Parquet, JSON or Arrow',
  usage: `Usage: trellis export <table> [--db FILE] [--format csv|parquet|json|arrow] [--out FILE]
       trellis export --list [--db FILE]

Writes any model (e.g. headcount, skill_gaps_employee) or table to a file, or to standard output
without --out. The format defaults to the --out file's extension (one it does not write, such as
.xlsx, is refused: name the file .csv, which Excel opens), else csv. In CSV, text cells that
start with = + - @ get a leading ' so spreadsheets do not run them as formulas.

Options:
  --format FORMAT   csv (default), parquet, json (an array of objects) or arrow (IPC stream)
  --out FILE        file to write (default: standard output)
  --db FILE         DuckDB file (default TRELLIS_DB or data/trellis.duckdb)
  --list            list the tables and models that can be exported (while a server runs: those it exports)
  -h, --help        this help`,
  async run(args, ctx) {
    const { values, positionals } = parse(args, {
      db: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, list: { type: 'boolean' },
    }, 1);
    if (values.help) { line(ctx.stdout, this.usage); return 0; }
    const config = ctx.config();
    const dbFile = values.db ? path.resolve(ctx.cwd, values.db) : config.db;
    const out = values.out ? path.resolve(ctx.cwd, values.out) : null;
    const fromExt = out ? path.extname(out).slice(1).toLowerCase() : '';
    // an extension Trellis does not write (report.xlsx) would get CSV under a name that says otherwise
    if (fromExt && !values.format && !isExportFormat(fromExt)) {
      throw new UsageError(`--out "${values.out}": .${fromExt} is not a format Trellis writes; name the file .csv (Excel opens it), .parquet, .json or .arrow, or give --format`);
    }
    const format = (values.format ?? (isExportFormat(fromExt) ? fromExt : 'csv')).toLowerCase();
    if (!isExportFormat(format)) throw new UsageError(`--format "${format}" is not one of ${EXPORT_FORMATS.join(', ')}`);
    const table = positionals[0];
    if (!values.list && !table) throw new UsageError('name the table or model to export (trellis export --list shows them)');
    if (!values.list && !out && (format === 'parquet' || format === 'arrow') && (ctx.stdout as { isTTY?: boolean }).isTTY) {
      throw new UsageError(`${format} is binary: give --out FILE or redirect standard output`);
    }

    const server = await findServer(dbFile);
    if (server && values.list) {
      for (const t of await exportListViaServer(server)) line(ctx.stdout, t);
      line(ctx.stderr, `(the tables the server, pid ${server.pid}, exports)`);
      return 0;
    }
    if (server) {
      const target = out ? fs.createWriteStream(out) : ctx.stdout;
      await exportViaServer(server, table!, format, target);
      if (out) {
        await new Promise<void>((resolve, reject) => (target as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
        line(ctx.stderr, `exported ${table} as ${format} to ${out} (through the server, pid ${server.pid})`);
      }
      return 0;
    }

    if (!fs.existsSync(dbFile)) throw new UsageError(`no database at ${dbFile}: run \`trellis run\` first, or pass --db FILE`);
    const db = await openDbExplained(dbFile);
    const conn = await db.connect();
    try {
      if (values.list) {
        for (const t of await exportableTables(conn)) line(ctx.stdout, t);
        return 0;
      }
      if (out) {
        const r = await exportTable(conn, table!, format as ExportFormat, out);
        line(ctx.stderr, `exported ${r.rows} rows of ${r.table} as ${format} to ${out}`);
      } else {
        const r = await exportToBuffer(conn, table!, format as ExportFormat);
        await new Promise<void>((resolve, reject) => ctx.stdout.write(r.bytes, (err) => (err ? reject(err) : resolve())));
      }
      return 0;
    } finally {
      conn.closeSync();
      db.close();
    }
  },
};
