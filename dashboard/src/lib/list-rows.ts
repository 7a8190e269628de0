// Every row of a list route for pages that show or export a whole list (the retention list can be
// ~100k rows at scale). A small list comes as one JSON page; a large one as Arrow IPC (a third of the
// bytes, no JSON parse), with apache-arrow loaded only then so it stays out of the initial JS.
import { getArrowBytes, getList, type Query } from './api.ts';
import { arrowRows } from './arrow-rows.ts';

type Fetch = typeof globalThis.fetch;

/** Lists up to this many rows come as JSON in one request. */
export const JSON_ROW_LIMIT = 500;
/** The server's largest page (MAX_LIMIT in dashboard/server/query.ts). */
export const MAX_PAGE = 100_000;

export interface AllRows<T> { rows: T[]; total: number; asOf: string | null; runId: number | null; via: 'json' | 'arrow' }

export async function getAllRows<T = Record<string, unknown>>(path: string, query: Query = {}, fetch?: Fetch,
  jsonLimit = JSON_ROW_LIMIT): Promise<AllRows<T>> {
  const first = await getList<T>(path, { ...query, limit: jsonLimit, offset: 0 }, fetch);
  if (first.total <= first.rows.length) return { rows: first.rows, total: first.total, asOf: first.asOf, runId: first.runId, via: 'json' };
  const { tableFromIPC } = await import('apache-arrow');
  const rows: T[] = [];
  for (let offset = 0; offset < first.total; offset += MAX_PAGE) {
    const { bytes } = await getArrowBytes(path, { ...query, limit: MAX_PAGE, offset }, fetch);
    const page = arrowRows(tableFromIPC(bytes)) as T[];
    for (const r of page) rows.push(r);
    if (page.length < MAX_PAGE) break;
  }
  return { rows, total: rows.length, asOf: first.asOf, runId: first.runId, via: 'arrow' };
}
