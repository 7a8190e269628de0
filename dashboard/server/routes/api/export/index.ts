// GET /api/export/:table?format=csv|parquet|json|arrow — a mart or staging table, checked against
// the catalog and a role whitelist (never glued into SQL unchecked), scoped for managers, audited.
// GET /api/export — the tables the caller may export.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { exec, ident, literal } from '../../../../../pipeline/src/db.ts';
import { audit } from '../../../auth/audit.ts';
import type { AuthUser } from '../../../auth/user.ts';
import { toArrowIPC, ARROW_MIME } from '../../../arrow.ts';
import { userOf } from '../../../context.ts';
import { toCsv } from '../../../csv.ts';
import { ApiError, NotFoundError } from '../../../errors.ts';
import { buildWhere } from '../../../query.ts';
import { readColumns, readRows, toRows } from '../../../rows.ts';
import { errors } from '../../../schemas.ts';
import { REPO_ROOT } from '../../../paths.ts';

/** Tables about roles, skills and objectives, not people: anyone may export them whole. */
export const NON_PERSONAL = new Set(['stg_roles', 'stg_skills', 'stg_role_skills', 'stg_role_progressions', 'stg_objectives', 'objective_progress']);
/** Run bookkeeping: admins only. */
export const ADMIN_TABLES = new Set(['runs', 'run_files', 'rejects']);
/** Saved plans as successor nominations (the view of migration 002): admins and leaders, who edit them. */
export const PLAN_EXPORTS = new Set(['succession_plans']);

function martNames(): Set<string> {
  const dir = path.join(REPO_ROOT, 'sql', 'marts');
  return new Set(fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4)) : []);
}

/** Exportable tables for a user: in the catalog, and a mart, a staging model, or (admin) run bookkeeping. */
export async function exportableTables(conn: DuckDBConnection, user: AuthUser | null): Promise<Map<string, string[]>> {
  const marts = martNames();
  const rows = await readRows(conn, `select table_name, list(column_name order by ordinal_position) as columns
    from information_schema.columns where table_schema = 'main' group by table_name`);
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const name = r.table_name as string;
    const allowed = marts.has(name) || name.startsWith('stg_') || (user?.role === 'admin' && ADMIN_TABLES.has(name))
      || ((user?.role === 'admin' || user?.role === 'leader') && PLAN_EXPORTS.has(name));
    if (allowed) out.set(name, r.columns as string[]);
  }
  return out;
}

/** Whether a manager may export `table` (scoped to their subtree): about roles and objectives, or about employees. */
function managerMayExport(table: string, columns: string[]): boolean {
  return NON_PERSONAL.has(table) || columns.includes('employee_id');
}

const FORMATS = ['csv', 'parquet', 'json', 'arrow'] as const;
type Format = typeof FORMATS[number];

export default async function exportRoutes(app: FastifyInstance) {
  app.get('/', {
    schema: {
      summary: 'The tables the caller may export (what `trellis export --list` shows while a server runs)',
      tags: ['export'],
      response: { 200: Type.Object({ tables: Type.Array(Type.String()) }), ...errors },
    },
  }, async (request) => {
    const user = userOf(request);
    const tables = await app.reads.use((conn) => exportableTables(conn, user));
    const names = [...tables].filter(([name, columns]) => user?.role !== 'manager' || managerMayExport(name, columns)).map(([name]) => name);
    return { tables: names.sort() };
  });

  app.get('/:table', {
    schema: {
      summary: 'Export a mart or staging table (csv, parquet, json, arrow); scoped for managers',
      tags: ['export'],
      params: Type.Object({ table: Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z][a-z0-9_]*$' }) }),
      querystring: Type.Object({
        format: Type.Optional(Type.Union(FORMATS.map((f) => Type.Literal(f)))),
      }, { additionalProperties: false }),
      response: errors,
    },
  }, async (request, reply) => {
    const { table } = request.params as { table: string };
    const format: Format = (request.query as { format?: Format }).format ?? 'csv';
    const user = userOf(request);
    const answer = await app.reads.use(async (conn) => {
      const tables = await exportableTables(conn, user);
      const columns = tables.get(table);
      if (!columns) {
        throw new NotFoundError(`No exportable table "${table}"; available: ${[...tables.keys()].sort().join(', ') || 'none (run the pipeline first)'}`);
      }
      let scopeColumn: string | null = null;
      if (user?.role === 'manager' && !NON_PERSONAL.has(table)) {
        if (!managerMayExport(table, columns)) {
          throw new ApiError(403, `"${table}" is not about individual employees in your part of the org; only admins and leaders may export it`, 'forbidden');
        }
        scopeColumn = 'employee_id';
      }
      const { where, params } = buildWhere({ scopeColumn }, {}, user);
      const select = `select * from ${ident(table)} ${where}`;
      if (format === 'parquet') {
        const tmpTable = `export_${randomBytes(6).toString('hex')}`;
        const file = path.join(os.tmpdir(), `${tmpTable}.parquet`);
        try {
          await exec(conn, `create temp table ${ident(tmpTable)} as ${select}`, params);
          const n = await readRows(conn, `select count(*)::int as n from ${ident(tmpTable)}`);
          await exec(conn, `copy ${ident(tmpTable)} to ${literal(file)} (format parquet)`);
          return { body: fs.readFileSync(file), rows: n[0].n as number, type: 'application/vnd.apache.parquet' };
        } finally {
          await exec(conn, `drop table if exists ${ident(tmpTable)}`);
          fs.rmSync(file, { force: true });
        }
      }
      const read = await readColumns(conn, `${select} order by all`, params);
      if (format === 'arrow') return { body: Buffer.from(toArrowIPC(read)), rows: read.rowCount, type: ARROW_MIME };
      if (format === 'json') return { body: JSON.stringify(toRows(read)), rows: read.rowCount, type: 'application/json; charset=utf-8' };
      return { body: toCsv(read.columns.map((c) => c.name), read.data, read.rowCount), rows: read.rowCount, type: 'text/csv; charset=utf-8' };
    });
    await audit(request, 'export', table, { format, rows: answer.rows });
    const ext = format === 'arrow' ? 'arrow' : format;
    return reply
      .header('content-type', answer.type)
      .header('content-disposition', `attachment; filename="${table}.${ext}"`)
      .header('x-row-count', String(answer.rows))
      .send(answer.body);
  });
}
