// Small request helpers shared by route files: the signed-in user and the data's as-of/run.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyRequest } from 'fastify';
import { tableExists } from '../../pipeline/src/db.ts';
import type { AuthUser } from './auth/user.ts';
import { readOne } from './rows.ts';

export function userOf(request: FastifyRequest): AuthUser | null {
  return (request as FastifyRequest & { user?: AuthUser | null }).user ?? null;
}

export interface DataVersion { asOf: string | null; runId: number | null }

/** The last run whose results are serving (succeeded, or no_change on top of one). */
export async function dataVersion(conn: DuckDBConnection): Promise<DataVersion> {
  if (!(await tableExists(conn, 'runs'))) return { asOf: null, runId: null };
  const row = await readOne(conn,
    `select run_id::int as run_id, strftime(as_of::date, '%Y-%m-%d') as as_of from runs
     where status in ('succeeded', 'no_change') order by run_id desc limit 1`);
  return { asOf: (row?.as_of as string) ?? null, runId: (row?.run_id as number) ?? null };
}
