// Sign-in, sign-out and "who am I". Sign-in is public, slowed down with exponential backoff per
// account-and-address and per address (auth/rate-limit.ts), and every failure gets the same message.
// The session lives server-side; the cookie only names it.
import { Type } from '@sinclair/typebox';
import { serialize as serializeCookie, parse as parseCookies } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkCredentials } from '../../../../../pipeline/src/users.ts';
import { writeAudit } from '../../../auth/audit.ts';
import { describeWait } from '../../../auth/rate-limit.ts';
import { basePath } from '../../../auth/routes-base.ts';
import { SESSION_COOKIE, createSession, endSession, purgeSessions } from '../../../auth/sessions.ts';
import { ErrorBody } from '../../../schemas.ts';
import { ROLES } from '../../../auth/user.ts';
import oidcRoutes from './oidc.ts';

const FAILED = 'Sign-in failed: unknown user or wrong password';

const UserBody = Type.Object({
  username: Type.String(),
  role: Type.Union(ROLES.map((r) => Type.Literal(r))),
  employeeId: Type.Union([Type.String(), Type.Null()]),
});

export function sessionCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  return serializeCookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

function cookieToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header ? parseCookies(header)[SESSION_COOKIE] : undefined;
}

export default async function authRoutes(app: FastifyInstance) {
  const base = basePath(app, '/api/auth');
  const auth = () => app.trellisAuth;
  await app.register(oidcRoutes);

  app.post(`${base}/login`, {
    config: { public: true },
    schema: {
      summary: 'Sign in with a username and password; sets an HttpOnly session cookie',
      tags: ['auth'],
      body: Type.Object({
        username: Type.String({ minLength: 1, maxLength: 200 }),
        password: Type.String({ minLength: 1, maxLength: 1024 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ user: UserBody }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
    },
  }, async (request: FastifyRequest<{ Body: { username: string; password: string } }>, reply: FastifyReply) => {
    const { store, limits, policy, now } = auth();
    const { username, password } = request.body;
    const at = now();
    const sso = app.hasDecorator('trellisSso') ? app.trellisSso : null;
    if (sso && !sso.localLogin) {
      await store.use((conn) => writeAudit(conn, { at, username, action: 'login_failed', target: username, detail: 'local sign-in is off', ip: request.ip }));
      const name = sso.client?.settings.name ?? 'single sign-on';
      return reply.status(403).send({ error: 'forbidden', message: `Sign-in with a password is switched off here: use "Sign in with ${name}"`, statusCode: 403 });
    }
    // request.ip is the peer, or X-Forwarded-For's client when the peer is a trusted proxy (trustProxy).
    const addressKey = request.ip;
    const pairKey = `${username.toLowerCase()}\n${addressKey}`;
    const wait = Math.max(limits.accountAddress.waitMs(pairKey, at.getTime()), limits.address.waitMs(addressKey, at.getTime()));
    if (wait > 0) {
      await store.use((conn) => writeAudit(conn, { at, username, action: 'login_failed', target: username, detail: 'rate limited', ip: request.ip }));
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      const message = `Too many failed sign-ins: try again in ${describeWait(wait)}`;
      return reply.status(429).send({ error: 'too_many_requests', message, statusCode: 429 });
    }
    const user = await store.use((conn) => checkCredentials(conn, username, password));
    if (!user) {
      limits.accountAddress.fail(pairKey, at.getTime());
      limits.address.fail(addressKey, at.getTime());
      await store.use((conn) => writeAudit(conn, { at, username, action: 'login_failed', target: username, detail: null, ip: request.ip }));
      return reply.status(401).send({ error: 'unauthorized', message: FAILED, statusCode: 401 });
    }
    limits.accountAddress.reset(pairKey);
    const old = cookieToken(request);
    const session = await store.use(async (conn) => {
      await endSession(conn, old); // a fresh id on every sign-in (no session fixation)
      await purgeSessions(conn, at);
      const created = await createSession(conn, user.username, at, policy);
      await writeAudit(conn, { at, username: user.username, action: 'login', target: user.username, detail: null, ip: request.ip });
      return created;
    });
    reply.header('set-cookie', sessionCookie(request, session.token, Math.floor(policy.absoluteMs / 1000)));
    reply.header('cache-control', 'no-store');
    return { user: { username: user.username, role: user.role, employeeId: user.employee_id ?? null } };
  });

  app.post(`${base}/logout`, {
    config: { public: true },
    schema: {
      summary: 'Sign out: ends the session on the server and clears the cookie',
      tags: ['auth'],
      response: { 200: Type.Object({ ok: Type.Boolean() }), 403: ErrorBody },
    },
  }, async (request, reply) => {
    const { store, now } = auth();
    const token = cookieToken(request);
    await store.use(async (conn) => {
      await endSession(conn, token);
      if (request.user && request.authVia === 'session') {
        await writeAudit(conn, { at: now(), username: request.user.username, action: 'logout', target: request.user.username, detail: null, ip: request.ip });
      }
    });
    reply.header('set-cookie', sessionCookie(request, '', 0));
    return { ok: true };
  });

  app.get(`${base}/me`, {
    config: { roles: ROLES }, // every role: it answers only the caller's own account
    schema: {
      summary: 'The signed-in user',
      tags: ['auth'],
      response: { 200: Type.Object({ user: UserBody }), 401: ErrorBody },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return { user: request.user! };
  });
}
