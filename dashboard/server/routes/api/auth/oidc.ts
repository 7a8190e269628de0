// Single sign-on routes (OpenID Connect, docs/access.md): GET /api/auth/methods (what the sign-in page
// offers), GET /api/auth/oidc/start (off to the provider) and GET /api/auth/oidc/callback (back from
// it: a session, or a page saying why not, and an audit row either way). Registered by index.ts of the
// auth area. The routes exist whether or not single sign-on is configured (404 when it is not).
import { Type } from '@sinclair/typebox';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { writeAudit } from '../../../auth/audit.ts';
import { OIDC_COOKIE, SignInRefused } from '../../../auth/oidc.ts';
import { refusalPage } from '../../../auth/refusal-page.ts';
import { basePath } from '../../../auth/routes-base.ts';
import { SESSION_COOKIE, createSession, endSession, purgeSessions } from '../../../auth/sessions.ts';
import { ssoAccount } from '../../../auth/sso-accounts.ts';
import { ErrorBody } from '../../../schemas.ts';
import { sessionCookie } from './index.ts';

/** Same-site paths only: `/x`, not `//evil.example`, `/\evil.example` or `https://…`; never back to /login. */
export function safeNext(raw: string | null | undefined): string | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  if (raw === '/login' || raw.startsWith('/login?') || raw.startsWith('/api/')) return null;
  return raw;
}

function oidcCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  return serializeCookie(OIDC_COOKIE, value, {
    httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', path: '/api/auth/oidc', maxAge: maxAgeSeconds,
  });
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  return header ? parseCookies(header)[name] : undefined;
}

export default async function oidcRoutes(app: FastifyInstance) {
  const base = basePath(app, '/api/auth');
  const sso = () => app.trellisSso;

  app.get(`${base}/methods`, {
    config: { public: true },
    schema: {
      summary: 'How one may sign in here: with a password, with single sign-on, or both',
      tags: ['auth'],
      response: {
        200: Type.Object({
          local: Type.Boolean(),
          sso: Type.Union([Type.Object({ name: Type.String(), start: Type.String() }), Type.Null()]),
        }),
      },
    },
  }, async () => {
    const { client, localLogin } = sso();
    return { local: localLogin, sso: client ? { name: client.settings.name, start: '/api/auth/oidc/start' } : null };
  });

  app.get(`${base}/oidc/start`, {
    config: { public: true },
    schema: {
      summary: 'Start single sign-on: redirects to the identity provider (authorization code with PKCE, state and nonce)',
      tags: ['auth'],
      querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
      response: { 404: ErrorBody },
    },
  }, async (request: FastifyRequest<{ Querystring: { next?: string } }>, reply: FastifyReply) => {
    const { client } = sso();
    if (!client) return reply.status(404).send({ error: 'not_found', message: 'Single sign-on is not configured on this Trellis', statusCode: 404 });
    const redirectUri = client.settings.redirectUrl ?? `${request.protocol}://${request.host}/api/auth/oidc/callback`;
    try {
      const { url, id } = await client.start(redirectUri, safeNext(request.query.next));
      reply.header('set-cookie', oidcCookie(request, id, 600));
      reply.header('cache-control', 'no-store');
      return reply.redirect(url, 302);
    } catch (err) {
      if (!(err instanceof SignInRefused)) throw err;
      return refuse(request, reply, err);
    }
  });

  app.get(`${base}/oidc/callback`, {
    config: { public: true },
    schema: {
      summary: 'Back from the identity provider: signs in (session cookie) and redirects, or answers a page saying why not',
      tags: ['auth'],
      // what providers send back varies (code, state, iss, session_state, error, error_description, …)
      querystring: Type.Object({}, { additionalProperties: Type.String({ maxLength: 4000 }) }),
      response: { 404: ErrorBody },
    },
  }, async (request, reply) => {
    const { client } = sso();
    if (!client) return reply.status(404).send({ error: 'not_found', message: 'Single sign-on is not configured on this Trellis', statusCode: 404 });
    const { store, policy, now } = app.trellisAuth;
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const attempt = cookie(request, OIDC_COOKIE);
    reply.header('set-cookie', oidcCookie(request, '', 0)); // used up, whatever happens
    reply.header('cache-control', 'no-store');
    try {
      const identity = await client.finish(attempt, query);
      const at = now();
      const old = cookie(request, SESSION_COOKIE);
      const { account, session } = await store.use(async (conn) => {
        const found = await ssoAccount(conn, identity, client.settings, at);
        await endSession(conn, old); // a fresh id on every sign-in (no session fixation)
        await purgeSessions(conn, at);
        const created = await createSession(conn, found.username, at, policy);
        await writeAudit(conn, { at, username: found.username, action: 'login', target: found.username,
          detail: JSON.stringify({ via: 'oidc', role: found.role, employeeId: found.employeeId, subject: identity.subject }), ip: request.ip });
        return { account: found, session: created };
      });
      reply.header('set-cookie', sessionCookie(request, session.token, Math.floor(policy.absoluteMs / 1000))); // beside the cleared attempt
      const landing = identity.next ?? (account.role === 'employee' ? '/me' : '/');
      return reply.redirect(landing, 302);
    } catch (err) {
      if (!(err instanceof SignInRefused)) throw err;
      return refuse(request, reply, err);
    }
  });

  /** The page saying why, and the audit row (`login_failed`, detail `oidc: <code>`). */
  async function refuse(request: FastifyRequest, reply: FastifyReply, err: SignInRefused) {
    const { store, now } = app.trellisAuth;
    await store.use((conn) => writeAudit(conn, {
      at: now(), username: err.email, action: 'login_failed', target: err.email,
      detail: `oidc: ${err.code}${err.detail ? ` (${err.detail})` : ''}`, ip: request.ip,
    }));
    const status = err.code === 'provider_unreachable' ? 502 : 403;
    return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .send(refusalPage(err.message, err.code));
  }
}
