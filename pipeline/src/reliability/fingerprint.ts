// Content fingerprints of tables, to prove a bad input or an interrupted run changed nothing.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DATASET_NAMES } from '../datasets.ts';
import { all, ident } from '../db.ts';

/**
 * `count:hash` of a table's rows (order-independent), leaving out the given columns (run lineage).
 * Two tables with the same rows give the same fingerprint.
 */
export async function fingerprint(conn: DuckDBConnection, table: string, exclude: string[] = []): Promise<string> {
  const ex = exclude.length ? ` exclude (${exclude.map(ident).join(', ')})` : '';
  const [row] = await all<{ n: number; h: string }>(conn,
    `select count(*)::INTEGER as n, coalesce(sum(hash(t) % 1000000007), 0)::VARCHAR as h
     from (select *${ex} from ${ident(table)}) t`);
  return `${row.n}:${row.h}`;
}

/** Fingerprints of every src_<dataset> table, without the lineage columns. */
export async function srcFingerprints(conn: DuckDBConnection): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const d of DATASET_NAMES) out[d] = await fingerprint(conn, `src_${d}`, ['_run_id', '_file', '_line']);
  return out;
}
