// Arrow list answers kept as their serialised IPC pieces per data version, URL and caller scope, within a
// byte budget (least recently used out first). The data changes only when a run succeeds, so a repeated
// export of the full list (≈100k rows, ~4 MB) is sent from memory; the first request after a run computes
// (dictionary-encoded, bench/README.md). Keys are `<database>|…|<scope>` as for memoByVersion (context.ts).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ArrowBytes } from './arrow.ts';
import { versionedKey } from './context.ts';

/** Total bytes kept (the ArrayBuffers the pieces hold); one answer may take at most a quarter of it. */
export const ARROW_CACHE_BYTES = 64 * 1024 * 1024;

const cache = new Map<string, ArrowBytes>();
let held = 0;

/** The answer's IPC pieces for this data version, computed when not kept (or when no run has succeeded). */
export async function arrowByVersion(conn: DuckDBConnection, key: string, compute: () => Promise<ArrowBytes>,
  budget = ARROW_CACHE_BYTES): Promise<ArrowBytes> {
  const full = await versionedKey(conn, key);
  if (full === null) return compute();
  const hit = cache.get(full);
  if (hit) {
    cache.delete(full);
    cache.set(full, hit); // most recently used last
    return hit;
  }
  const value = await compute();
  if (value.retainedBytes <= budget / 4) {
    cache.set(full, value);
    held += value.retainedBytes;
    for (const [k, v] of cache) {
      if (held <= budget) break;
      cache.delete(k);
      held -= v.retainedBytes;
    }
  }
  return value;
}
