// Account administration (admins only): list, add, remove, set a password. Every change is audited.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addUser, inactiveEmployeeNote, listUsers, removeUser, setPassword, UserError } from '../../../../../pipeline/src/users.ts';
import { audit } from '../../../auth/audit.ts';
import { basePath } from '../../../auth/routes-base.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../../errors.ts';
import { ErrorBody } from '../../../schemas.ts';
import { ROLES } from '../../../auth/user.ts';

const admin = { roles: ['admin'] as const };
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const UserRow = Type.Object({
  username: Type.String(),
  role: Type.String(),
  employeeId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  disabled: Type.Boolean(),
}, { additionalProperties: false });

const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$' });
const Password = Type.String({ minLength: 1, maxLength: 1024 });

function apiError(err: unknown): never {
  if (err instanceof UserError) {
    if (err.code === 'not_found') throw new NotFoundError(err.message);
    if (err.code === 'exists' || err.code === 'last_admin') throw new ConflictError(err.message);
    throw new BadRequestError(err.message);
  }
  throw err;
}

export default async function usersRoutes(app: FastifyInstance) {
  const base = basePath(app, '/api/users');
  const store = () => app.trellisAuth.store;

  app.get(`${base}`, {
    config: admin,
    schema: {
      summary: 'Dashboard accounts (admin)', tags: ['users'],
      response: { 200: Type.Object({ rows: Type.Array(UserRow), total: Type.Integer() }), ...errors },
    },
  }, async () => {
    const users = await store().use((conn) => listUsers(conn));
    const rows = users.map((u) => ({ username: u.username, role: u.role, employeeId: u.employee_id ?? null, createdAt: u.created_at, disabled: u.disabled }));
    return { rows, total: rows.length };
  });

  app.post(`${base}`, {
    config: admin,
    schema: {
      summary: 'Add an account (admin); a manager or an employee needs employeeId', tags: ['users'],
      body: Type.Object({
        username: Username,
        role: Type.Union(ROLES.map((r) => Type.Literal(r))),
        employeeId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
        password: Password,
      }, { additionalProperties: false }),
      response: {
        201: Type.Object({ ...UserRow.properties, note: Type.Union([Type.String(), Type.Null()], { description: 'why the account would see no one (its employee is not active in the data), else null' }) }),
        ...errors,
      },
    },
  }, async (request: FastifyRequest<{ Body: { username: string; role: string; employeeId?: string | null; password: string } }>, reply) => {
    const body = request.body;
    const { user, note } = await store().use(async (conn) => {
      const added = await addUser(conn, body, app.trellisAuth.now());
      return { user: added, note: added.employee_id ? await inactiveEmployeeNote(conn, added.employee_id) : null };
    }).catch(apiError);
    await audit(request, 'user_add', user.username, { role: user.role, employeeId: user.employee_id });
    return reply.status(201).send({ username: user.username, role: user.role, employeeId: user.employee_id ?? null, createdAt: user.created_at, disabled: user.disabled, note });
  });

  app.delete(`${base}/:username`, {
    config: admin,
    schema: {
      summary: 'Remove an account and end its sessions (admin)', tags: ['users'],
      params: Type.Object({ username: Username }),
      response: { 200: Type.Object({ ok: Type.Boolean() }), ...errors },
    },
  }, async (request: FastifyRequest<{ Params: { username: string } }>) => {
    const { username } = request.params;
    await store().use((conn) => removeUser(conn, username)).catch(apiError);
    await audit(request, 'user_remove', username);
    return { ok: true };
  });

  app.put(`${base}/:username/password`, {
    config: admin,
    schema: {
      summary: "Set an account's password and end its sessions (admin)", tags: ['users'],
      params: Type.Object({ username: Username }),
      body: Type.Object({ password: Password }, { additionalProperties: false }),
      response: { 200: Type.Object({ ok: Type.Boolean() }), ...errors },
    },
  }, async (request: FastifyRequest<{ Params: { username: string }; Body: { password: string } }>) => {
    const { username } = request.params;
    await store().use((conn) => setPassword(conn, username, request.body.password)).catch(apiError);
    await audit(request, 'user_passwd', username);
    return { ok: true };
  });
}
