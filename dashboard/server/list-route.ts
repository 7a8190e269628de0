// Register a list route from a ListSpec and a row schema: one helper so every list has the same
// query parameters, the same answer shape, JSON or Arrow, the manager scope and the whitelisted sort.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { TObject, TProperties } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { arrowByVersion } from './arrow-cache.ts';
import { warmArrowOnListen } from './arrow-warm.ts';
import { sendArrow, sendArrowBytes, toArrowBytes, wantsArrow } from './arrow.ts';
import { dataVersion, memoByVersion, scopeKey, tableNames, userOf } from './context.ts';
import { BadRequestError } from './errors.ts';
import { runList, type ListParams, type ListSpec } from './query.ts';
import { toRows, type ReadResult } from './rows.ts';
import { errors, listQuerySchema, listResponse } from './schemas.ts';

/** Pages up to this many rows are memoized per data version; bigger answers are computed each time. */
const MEMO_MAX_LIMIT = 1000;

export interface ListRouteOptions {
  spec: Omit<ListSpec, 'columns'>;
  row: TObject;
  summary: string;
  tags: string[];
  /** Tables the base SQL reads: when one is missing (nothing loaded yet) the answer is an empty list. */
  requires: string[];
  params?: TObject;
  /** Values for `$name` placeholders of the base SQL, from path params. */
  baseParams?: (request: FastifyRequest) => Record<string, DuckDBValue>;
  /** Per-request base SQL (e.g. org-wide mart vs the caller's subtree, or a mart when it exists), replacing spec.base (and its storedOrder). */
  source?: (request: FastifyRequest, conn: DuckDBConnection) => ListSource | Promise<ListSource>;
  /** Runs before the list, e.g. a 404 check for a path id. */
  check?: (conn: DuckDBConnection, request: FastifyRequest) => Promise<void>;
  extraQuery?: TProperties;
  config?: Record<string, unknown>;
}

export interface ListSource { base: string; params: Record<string, DuckDBValue>; storedOrder?: ListSpec['storedOrder'] }

export async function missingTables(conn: DuckDBConnection, tables: string[]): Promise<string[]> {
  const names = await tableNames(conn);
  return tables.filter((t) => !names.has(t));
}

function emptyResult(columns: string[]): ReadResult {
  return { columns: columns.map((name) => ({ name, type: { typeId: 0 } as never })), data: columns.map(() => []), rowCount: 0 };
}

/** Answer rows as Arrow (when asked) or as the JSON list shape. */
export function sendList(
  request: FastifyRequest, reply: FastifyReply,
  answer: { result: ReadResult; total: number; limit: number; offset: number; asOf: string | null; runId: number | null },
) {
  if (wantsArrow(request)) {
    return sendArrow(reply, answer.result, { 'x-total-count': String(answer.total) });
  }
  return reply.send({
    rows: toRows(answer.result), total: answer.total, limit: answer.limit, offset: answer.offset,
    asOf: answer.asOf, runId: answer.runId,
  });
}

export function listRoute(app: FastifyInstance, url: string, opts: ListRouteOptions): void {
  const columns = Object.keys(opts.row.properties);
  const spec: ListSpec = { ...opts.spec, columns };
  warmArrowOnListen(app);
  app.get(url, {
    schema: {
      summary: opts.summary,
      tags: opts.tags,
      ...(opts.params ? { params: opts.params } : {}),
      querystring: listQuerySchema(spec, opts.extraQuery),
      response: { 200: listResponse(opts.row), ...errors },
    },
    config: opts.config ?? {},
  }, async (request, reply) => {
    const query = request.query as ListParams;
    // ajv lets "1e309" through as Infinity for an integer: refuse it rather than fail serializing.
    for (const n of [query.limit, query.offset]) {
      if (n !== undefined && !Number.isSafeInteger(n)) throw new BadRequestError('Bad request: limit and offset must be whole numbers');
    }
    // A page (not a full export) is kept per data version, URL and caller scope: under load the count and
    // the sorted page over the joined marts are computed once, not per request (bench/README.md).
    const page = (query.limit ?? 100) <= MEMO_MAX_LIMIT;
    const scope = scopeKey(userOf(request));
    const rows = (conn: DuckDBConnection) => (page
      ? memoByVersion(conn, `${app.db.path}|list|${request.url}|${scope}`, () => listAnswer(conn))
      : listAnswer(conn));
    if (wantsArrow(request)) {
      // The serialised answer is kept per data version, URL and scope (arrow-cache.ts): a repeated full
      // export is sent from memory. The total travels in a header, as for sendList.
      const bytes = await app.reads.use((conn) => arrowByVersion(conn, `${app.db.path}|arrow|${request.url}|${scope}`, async () => {
        const answer = await rows(conn);
        return { ...(await toArrowBytes(answer.result)), headers: { 'x-total-count': String(answer.total) } };
      }));
      return sendArrowBytes(reply, bytes);
    }
    const answer = await app.reads.use(rows);
    async function listAnswer(conn: DuckDBConnection) {
      const version = await dataVersion(conn);
      if (opts.check) await opts.check(conn, request);
      if ((await missingTables(conn, opts.requires)).length) {
        return { result: emptyResult(columns), total: 0, limit: query.limit ?? 100, offset: query.offset ?? 0, ...version };
      }
      const source = await opts.source?.(request, conn);
      const list = await runList(conn, source ? { ...spec, base: source.base, storedOrder: source.storedOrder } : spec, query, userOf(request),
        { ...(opts.baseParams?.(request) ?? {}), ...(source?.params ?? {}) });
      return { ...list, ...version };
    }
    return sendList(request, reply, answer);
  });
}
