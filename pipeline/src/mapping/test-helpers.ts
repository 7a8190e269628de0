// Small helpers for the mapping tests: a temp folder with files, and an in-memory DuckDB connection.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const presetsDir = path.join(repoRoot, 'fixtures/mappings');
export const datasetsDir = path.resolve(repoRoot, '../shared/datasets');

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-mapping-'));
}

export function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

export async function memoryConn(): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return { conn, close: () => instance.closeSync() };
}
