// Rows (plain objects) from an Arrow table, as the JSON answer of the same list route would give them:
// nulls stay null (typed arrays would turn them into 0), 64-bit integers become numbers.
import type { Table } from 'apache-arrow';

export function arrowRows(table: Table): Record<string, unknown>[] {
  const columns = table.schema.fields.map((f) => ({ name: f.name, vector: table.getChild(f.name)! }));
  const rows: Record<string, unknown>[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const { name, vector } of columns) {
      const v = vector.get(i) as unknown;
      row[name] = typeof v === 'bigint' ? Number(v) : v ?? null;
    }
    rows[i] = row;
  }
  return rows;
}
