// Read a query into plain rows and typed columns: BIGINT/HUGEINT become numbers, DATE becomes
// 'YYYY-MM-DD', TIMESTAMP an ISO string, DECIMAL a double. The same columns feed JSON and Arrow.
import {
  DuckDBTypeId, JSDuckDBValueConverter,
  type DuckDBConnection, type DuckDBType, type DuckDBValue, type DuckDBValueConverter,
} from '@duckdb/node-api';
import type { Params } from '../../pipeline/src/db.ts';

export type Cell = string | number | boolean | null | Cell[] | { [k: string]: Cell };
export type PlainRow = Record<string, Cell>;

export interface ColumnInfo { name: string; type: DuckDBType }

export interface ReadResult {
  columns: ColumnInfo[];
  /** Column-major values, one array per column, in `columns` order. */
  data: Cell[][];
  rowCount: number;
}

const plainConverter: DuckDBValueConverter<Cell> = (value: DuckDBValue, type: DuckDBType, converter) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return Number(value as bigint);
    case DuckDBTypeId.DATE:
      return String(value);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const d = JSDuckDBValueConverter(value, type, JSDuckDBValueConverter as never) as Date | null;
      return d ? d.toISOString() : null;
    }
    default:
      return JSDuckDBValueConverter(value, type, converter as never) as Cell;
  }
};

export async function readColumns(conn: DuckDBConnection, sql: string, params?: Params): Promise<ReadResult> {
  const reader = await conn.runAndReadAll(sql, params as never);
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const converted = reader.convertColumns(plainConverter) as Cell[][];
  const data = names.map((_, i) => converted[i] ?? []); // no rows: node-api gives no column arrays at all
  return {
    columns: names.map((name, i) => ({ name, type: types[i] })),
    data,
    rowCount: reader.currentRowCount,
  };
}

export function toRows(result: ReadResult): PlainRow[] {
  const rows: PlainRow[] = new Array(result.rowCount);
  for (let r = 0; r < result.rowCount; r++) {
    const row: PlainRow = {};
    for (let c = 0; c < result.columns.length; c++) row[result.columns[c].name] = result.data[c][r];
    rows[r] = row;
  }
  return rows;
}

export async function readRows(conn: DuckDBConnection, sql: string, params?: Params): Promise<PlainRow[]> {
  return toRows(await readColumns(conn, sql, params));
}

export async function readOne(conn: DuckDBConnection, sql: string, params?: Params): Promise<PlainRow | undefined> {
  return (await readRows(conn, sql, params))[0];
}
