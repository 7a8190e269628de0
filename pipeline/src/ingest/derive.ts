// Defaults that depend on another dataset, applied after references are known to hold.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetDef } from '../datasets.ts';
import { exec, ident } from '../db.ts';
import { srcTable } from './tables.ts';

export async function deriveDefaults(conn: DuckDBConnection, def: DatasetDef, work: string): Promise<void> {
  if (def.name === 'role_progressions') {
    // A blank move: promotion when the to-role's level is higher, else lateral.
    const roles = ident(srcTable('roles'));
    await exec(conn, `update ${work} set move = case when tr.level > fr.level then 'promotion' else 'lateral' end
      from ${roles} fr, ${roles} tr
      where ${work}.move is null and fr.role_id = ${work}.from_role_id and tr.role_id = ${work}.to_role_id`);
  }
}
