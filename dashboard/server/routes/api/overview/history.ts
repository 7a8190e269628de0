// GET /api/overview/history: the trend, one row per history date (history_overview; a manager: their
// subtree at each date, dashboard/server/history.ts). Registered by ./index.ts.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { dataVersion, memoByVersion, scopeKey, userOf } from '../../../context.ts';
import { HISTORY_COLUMNS, historyRows } from '../../../history.ts';
import { Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { isUnscoped } from '../../../scope.ts';

/** as_of_date as 'YYYY-MM-DD'; n_* counts; the rest shares, means and indices. */
const HistoryRow = Row(Object.fromEntries(HISTORY_COLUMNS.map((c) => [c, c === 'as_of_date' ? Str() : c.startsWith('n_') ? Int() : Num()])));

export function historyRoute(app: FastifyInstance) {
  app.get('/history', {
    schema: {
      summary: 'The trend: history_overview, one row per history date (a manager: their subtree at each date)',
      tags: ['overview'],
      response: {
        200: Type.Object({
          scope: Type.Union([Type.Literal('org'), Type.Literal('subtree')]),
          rows: Type.Array(HistoryRow),
          asOf: Str(),
        }),
        ...errors,
      },
    },
  }, async (request) => {
    const user = userOf(request);
    return app.reads.use(async (conn) => memoByVersion(conn, `${app.db.path}|overview-history|${scopeKey(user)}`, async () => ({
      scope: isUnscoped(user) ? 'org' as const : 'subtree' as const,
      rows: await historyRows(conn, user),
      asOf: (await dataVersion(conn)).asOf,
    })));
  });
}
