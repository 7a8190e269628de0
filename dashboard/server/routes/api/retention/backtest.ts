// GET /api/retention/backtest: "Does the score work?" — the risk backtest marts (admins, leaders) or the
// same figures over a manager's subtree at each date (dashboard/server/history.ts). Registered by ./index.ts.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { dataVersion, memoByVersion, scopeKey, userOf } from '../../../context.ts';
import { backtestFor } from '../../../history.ts';
import { Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { COLUMNS, MIN_EXITS, TOO_FEW_EXITS } from '../../../../../pipeline/src/backtest/marts.ts';

/** A row schema from a backtest table's column types (dates as 'YYYY-MM-DD' text). */
const rowOf = (columns: Record<string, string>) => Type.Array(Row(Object.fromEntries(Object.entries(columns)
  .map(([name, type]) => [name, type === 'integer' ? Int() : type === 'double' ? Num() : Str()]))));

export function backtestRoute(app: FastifyInstance) {
  app.get('/backtest', {
    schema: {
      summary: 'Does the score work? AUC, lift, exit rates by band and path state, factor effects, configured vs fitted weights',
      tags: ['retention'],
      response: {
        200: Type.Object({
          built: Type.Boolean({ description: 'false: no backtest in this database (no history models, or a run before them)' }),
          scope: Type.Union([Type.Literal('org'), Type.Literal('subtree')]),
          horizonMonths: Int(),
          minExits: Type.Integer(),
          tooFewExits: Type.String(),
          asOf: Str(),
          risk_backtest: rowOf(COLUMNS.risk_backtest),
          risk_factor_effects: rowOf(COLUMNS.risk_factor_effects),
          risk_weights_fitted: rowOf(COLUMNS.risk_weights_fitted),
        }),
        ...errors,
      },
    },
  }, async (request) => {
    const user = userOf(request);
    const config = app.trellisConfig;
    return app.reads.use(async (conn) => memoByVersion(conn, `${app.db.path}|backtest|${scopeKey(user)}`, async () => {
      const { asOf } = await dataVersion(conn);
      const result = await backtestFor(conn, user, { asOf, horizonMonths: config.backtestHorizonMonths, riskWeights: config.riskWeights });
      return {
        built: result !== null, scope: result?.scope ?? 'org', horizonMonths: result?.horizonMonths ?? null,
        minExits: MIN_EXITS, tooFewExits: TOO_FEW_EXITS, asOf,
        risk_backtest: result?.risk_backtest ?? [], risk_factor_effects: result?.risk_factor_effects ?? [],
        risk_weights_fitted: result?.risk_weights_fitted ?? [],
      };
    }));
  });
}
