// Running a statement that writes rows and answering how many it wrote, inserted or deleted (DuckDB's
// own count), so that validation can skip the follow-up statements of a stage that found nothing.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

export async function changed(conn: DuckDBConnection, sql: string, params?: Record<string, DuckDBValue>): Promise<number> {
  const result = await conn.run(sql, params as never);
  return Number(result.rowsChanged);
}
