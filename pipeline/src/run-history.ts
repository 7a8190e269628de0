// One row per successful run in `run_history`: the headline figures as of the run's date, so the overview
// can draw a trend over past runs (the marts themselves only hold the latest run). Written inside the
// run's transaction, after the models: it commits with them or not at all.
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, tableExists } from './db.ts';

export const RUN_HISTORY_COLUMNS = ['run_id', 'as_of', 'headcount', 'n_no_path', 'n_plan_only', 'n_on_path', 'n_high_risk',
  'succession_readiness_rate', 'bench_strength_index', 'n_top_of_ladder'] as const;

/**
 * Append the run's figures. A figure whose mart the models folder does not build (tests with a few
 * models) is null. Headcount comes from career_path_state (active employees), else the headcount mart.
 */
export async function recordRunHistory(conn: DuckDBConnection, runId: number, asOf: string): Promise<void> {
  const has = async (t: string) => tableExists(conn, t);
  const paths = await has('career_path_state');
  const headcount = paths ? '(select count(*) from career_path_state)'
    : (await has('headcount')) ? '(select sum(n_active) from headcount)' : 'null';
  const state = (s: string) => (paths ? `(select count(*) from career_path_state where path_state = '${s}')` : 'null');
  const highRisk = (await has('retention_risk')) ? "(select count(*) from retention_risk where band = 'high')" : 'null';
  const succession = await has('succession_summary');
  const summary = (col: string) => (succession ? `(select ${col} from succession_summary)` : 'null');
  await exec(conn, `insert into run_history (${RUN_HISTORY_COLUMNS.join(', ')})
    select $run_id, $as_of::date, ${headcount}, ${state('no_path')}, ${state('plan_only')}, ${state('on_path')}, ${highRisk},
      ${summary('succession_readiness_rate')}, ${summary('bench_strength_index')}, ${state('top_of_ladder')}`, { run_id: runId, as_of: asOf });
}
