// The audit trail (admins only), newest first, filtered by user, action, target and time.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listAudit, type AuditFilter } from '../../../auth/audit.ts';
import { basePath } from '../../../auth/routes-base.ts';
import { BadRequestError } from '../../../errors.ts';
import { ErrorBody, Str } from '../../../schemas.ts';

const DateOrTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?Z?)?$',
  description: 'YYYY-MM-DD or an ISO timestamp (UTC)',
});
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

const Entry = Type.Object({
  at: Type.String(), username: Str(), action: Type.String(), target: Str(), detail: Str(), ip: Str(),
}, { additionalProperties: false });

type Query = { username?: string; action?: string; target?: string; from?: string; to?: string; limit?: number; offset?: number };

export default async function auditRoutes(app: FastifyInstance) {
  const base = basePath(app, '/api/audit');

  app.get(`${base}`, {
    config: { roles: ['admin'] },
    schema: {
      summary: 'Audit log (admin): sign-ins, profile views, exports, account changes', tags: ['audit'],
      querystring: Type.Object({
        username: Type.Optional(Text('who')),
        action: Type.Optional(Text('login, login_failed, logout, view_employee, export, user_add, user_remove, user_passwd, plan_create, plan_edit')),
        target: Type.Optional(Text('what (employee id, table, username)')),
        from: Type.Optional(DateOrTime),
        to: Type.Optional(DateOrTime),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        offset: Type.Optional(Type.Integer({ minimum: 0 })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({ rows: Type.Array(Entry), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }),
        400: ErrorBody, 401: ErrorBody, 403: ErrorBody,
      },
    },
  }, async (request: FastifyRequest<{ Querystring: Query }>) => {
    const q = request.query;
    for (const key of ['limit', 'offset'] as const) {
      if (q[key] !== undefined && !Number.isSafeInteger(q[key])) throw new BadRequestError(`Bad request: querystring.${key} must be a whole number`);
    }
    for (const key of ['from', 'to'] as const) {
      if (q[key] && Number.isNaN(Date.parse(q[key]!.replace(' ', 'T')))) {
        throw new BadRequestError(`Bad request: querystring.${key} is not a real date or time: ${q[key]}`);
      }
    }
    const filter: AuditFilter = { ...q, limit: q.limit ?? 100, offset: q.offset ?? 0 };
    const { rows, total } = await app.trellisAuth.store.use((conn) => listAudit(conn, filter));
    return { rows, total, limit: filter.limit, offset: filter.offset };
  });
}
