// Shared setup for the ingest tests: a real DuckDB file in a temp dir, files written there, loadFiles
// run inside BEGIN/COMMIT as the run orchestrator does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASET_NAMES } from '../datasets.ts';
import { all, exec, ident, openDb, type Db, type Row } from '../db.ts';
import { ensureSourceTables, srcTable } from './tables.ts';
import { loadFiles, type FileResult, type LoadContext } from './load.ts';

export interface Harness {
  dir: string;
  db: Db;
  conn: DuckDBConnection;
  /** Write a file into the harness dir (string content is written as UTF-8 bytes as given). */
  write(name: string, content: string | Buffer): { path: string; name: string };
  /** Write `rows` (header first) as CSV, quoting fields that need it. */
  csv(name: string, rows: (string | number)[][]): { path: string; name: string };
  /** Write a Parquet file from a SQL query via DuckDB COPY. */
  parquet(name: string, sql: string): Promise<{ path: string; name: string }>;
  load(files: { path: string; name: string }[], ctx?: Partial<LoadContext>): Promise<FileResult[]>;
  /** Empty every src_ table and rejects (faster than a new database between tests). */
  reset(): Promise<void>;
  rows<T extends Row = Row>(sql: string): Promise<T[]>;
  rejects(file?: string): Promise<{ line: number; column: string | null; value: string | null; reason: string; severity: string }[]>;
  close(): void;
}

let runCounter = 0;

export async function harness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-ingest-'));
  const db = await openDb(path.join(dir, 'test.duckdb'));
  const conn = await db.connect();
  await ensureSourceTables(conn);
  const write = (name: string, content: string | Buffer) => {
    const p = path.join(dir, 'inbox', name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return { path: p, name };
  };
  const quote = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return {
    dir, db, conn, write,
    csv: (name, rows) => write(name, rows.map((r) => r.map(quote).join(',')).join('\n') + '\n'),
    async parquet(name, sql) {
      const p = path.join(dir, 'inbox', name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      await exec(conn, `copy (${sql}) to '${p.replaceAll("'", "''")}' (format parquet)`);
      return { path: p, name };
    },
    async load(files, ctx = {}) {
      const runId = ctx.runId ?? ++runCounter;
      await exec(conn, 'begin');
      try {
        const res = await loadFiles(conn, files, { runId, ...ctx });
        await exec(conn, 'commit');
        return res;
      } catch (err) {
        await exec(conn, 'rollback');
        throw err;
      }
    },
    async reset() {
      for (const name of DATASET_NAMES) await exec(conn, `delete from ${ident(srcTable(name))}`);
      await exec(conn, 'delete from rejects');
    },
    rows: (sql) => all(conn, sql),
    async rejects(file) {
      const rows = await all<{ line: number; column: string | null; value: string | null; reason: string; severity: string }>(conn,
        `select line, "column" as column, value, reason, severity from rejects ${file ? 'where file = $file' : ''} order by run_id, file, line, reason`,
        file ? { file } : undefined);
      return rows;
    },
    close() {
      conn.closeSync();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small, valid org: roles, skills, objectives, employees. */
export const ORG = {
  roles: [
    ['role_id', 'title', 'job_family', 'level', 'track', 'is_critical', 'planned_headcount'],
    ['ENG-1', 'Engineer I', 'Engineering', 1, 'ic', 'false', 5],
    ['ENG-2', 'Engineer II', 'Engineering', 2, 'IC', 'yes', ''],
    ['MGR-3', 'Engineering Manager', 'Engineering', 3, 'manager', '', 1],
  ],
  skills: [
    ['skill_id', 'name', 'category'],
    ['S1', 'TypeScript', 'Engineering'],
    ['S2', 'SQL', 'Data'],
  ],
  objectives: [
    ['objective_id', 'title', 'parent_objective_id', 'department', 'period'],
    ['O1', 'Grow', '', '', '2026'],
    ['O2', 'Ship', 'O1', 'Engineering', '2026-H1'],
  ],
  employees: [
    ['employee_id', 'full_name', 'email', 'department', 'role_id', 'manager_id', 'location', 'hire_date',
      'role_start_date', 'last_promotion_date', 'termination_date', 'termination_type', 'regrettable'],
    ['E1', 'Ada Boss', 'ada@x.org', 'Engineering', 'MGR-3', '', 'Oslo', '2019-01-07', '2021-02-01', '', '', '', ''],
    ['E2', 'Bo Dev', 'bo@x.org', 'Engineering', 'ENG-2', 'E1', 'Oslo', '2022-03-01', '', '2024-01-01', '', '', ''],
    ['E3', 'Cy Dev', '', 'Engineering', 'ENG-1', 'E1', '', '2023-05-15', '', '', '2025-06-30', 'Voluntary', 'Y'],
  ],
} satisfies Record<string, (string | number)[][]>;

/** One valid file for each of the 13 datasets, consistent with ORG. */
export const FULL: Record<string, (string | number)[][]> = {
  ...ORG,
  role_progressions: [
    ['from_role_id', 'to_role_id', 'typical_months', 'move'],
    ['ENG-1', 'ENG-2', 18, ''],
    ['ENG-2', 'MGR-3', '', 'Promotion'],
    ['MGR-3', 'ENG-2', '', ''],
  ],
  role_skills: [
    ['role_id', 'skill_id', 'required_level', 'importance'],
    ['ENG-1', 'S1', 2, ''],
    ['ENG-2', 'S2', 3, 3],
  ],
  employee_skills: [
    ['employee_id', 'skill_id', 'level', 'assessed_on', 'source'],
    ['E2', 'S1', 3, '2026-01-10', ''],
    ['E2', 'S1', 4, '2026-01-10', 'Self'],
    ['E3', 'S2', 0, '2025-03-01', 'peer'],
  ],
  goals: [
    ['goal_id', 'employee_id', 'title', 'objective_id', 'target_role_id', 'skill_id', 'status', 'progress', 'created_on', 'due_on', 'completed_on'],
    ['G1', 'E2', 'Learn SQL', 'O2', 'MGR-3', 'S2', 'On_Track', '12.5', '2026-01-01', '2026-06-30', ''],
    ['G2', 'E3', 'Ship it', '', '', '', 'done', '.5', '2025-01-01', '', '2025-03-01'],
  ],
  reviews: [
    ['employee_id', 'cycle', 'reviewer_id', 'performance', 'potential', 'reviewed_on'],
    ['E2', '2026-H1', 'E1', 4, 2, '2026-07-01'],
    ['E3', '2025-H1', '', 3, '', '2025-07-01'],
  ],
  check_ins: [
    ['employee_id', 'manager_id', 'week_of', 'pulse', 'career_discussed', 'manager_replied'],
    ['E2', 'E1', '2026-03-02', 4, 'yes', ''],
    ['E2', 'E1', '2026-03-09', '', 'N', 'TRUE'],
  ],
  career_plans: [
    ['employee_id', 'target_role_id', 'created_on', 'status'],
    ['E2', 'MGR-3', '2026-01-01', ''],
  ],
  successor_nominations: [
    ['role_id', 'nominee_id', 'nominated_by', 'readiness', 'nominated_on'],
    ['MGR-3', 'E2', 'E1', '1_2_Years', '2026-02-01'],
  ],
  job_history: [
    ['employee_id', 'effective_date', 'role_id', 'manager_id', 'department', 'reason'],
    ['E2', '2022-03-01', 'ENG-1', 'E1', 'Engineering', 'Hire'],
    ['E2', '2024-01-01', 'ENG-2', '', '', 'promotion'],
  ],
};
