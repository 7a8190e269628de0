// Access control for every /api route: who the caller is (session cookie or the local bearer token),
// whether the route lets them in (route config `public` / `roles`), and cross-site protection for
// state-changing calls. Wrapped with fastify-plugin so the hooks apply app-wide.
import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { parse as parseCookies } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../../pipeline/src/db.ts';
import { createAuthStore, type AuthStore } from '../auth/store.ts';
import { csrfProblem } from '../auth/csrf.ts';
import { FailureBackoff, type BackoffRule } from '../auth/rate-limit.ts';
import { DEFAULT_SESSION_POLICY, SESSION_COOKIE, lookupSession, purgeSessions, type SessionPolicy } from '../auth/sessions.ts';
import { ROLES, routeAllows, type AuthRouteConfig, type AuthUser, type Role } from '../auth/user.ts';

export type { AuthUser, AuthRouteConfig, Role } from '../auth/user.ts';

export interface AuthOptions {
  /** The server's local token (also in `<db>.server.json`): `Authorization: Bearer <token>` is a local admin. */
  localToken?: string | null;
  /** The database holding users/sessions/audit_log; defaults to the `db` decoration of plugins/db.ts. */
  db?: Db;
  session?: Partial<SessionPolicy>;
  /** Sign-in backoff per account-and-address and per address (defaults: LOGIN_LIMITS). */
  loginLimits?: { perAccountAddress?: Partial<BackoffRule>; perAddress?: Partial<BackoffRule> };
  /** The clock (tests pin it). */
  now?: () => Date;
}

export interface RouteEntry {
  method: string;
  url: string;
  config: AuthRouteConfig;
  schema: Record<string, unknown> | undefined;
}

export interface AuthContext {
  /** Every route registered after the plugin (from the onRoute hook): what access tests walk. */
  routes: RouteEntry[];
  store: AuthStore;
  policy: SessionPolicy;
  now: () => Date;
  /** Failed sign-ins: per `<account>\n<address>` and per address (request.ip). */
  limits: { accountAddress: FailureBackoff; address: FailureBackoff };
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    /** How the user was identified: a session cookie, the local bearer token, or not at all. */
    authVia: 'session' | 'token' | null;
  }
  interface FastifyInstance {
    trellisAuth: AuthContext;
  }
  interface FastifyContextConfig {
    public?: boolean;
    roles?: readonly Role[];
  }
}

/**
 * One account from one address: 5 failures free, then 1 s, 2 s, 4 s … up to 15 minutes, one failure
 * forgiven per 15 minutes. One address, whatever the accounts (password spraying): 100 free, then the
 * same doubling up to 5 minutes, one forgiven per 30 s — generous, as a whole office may share it.
 */
export const LOGIN_LIMITS: { perAccountAddress: BackoffRule; perAddress: BackoffRule } = {
  perAccountAddress: { free: 5, baseMs: 1000, maxMs: 15 * 60_000, decayMs: 15 * 60_000 },
  perAddress: { free: 100, baseMs: 1000, maxMs: 5 * 60_000, decayMs: 30_000 },
};

export const LOCAL_ADMIN: AuthUser = Object.freeze({ username: 'local', role: 'admin', employeeId: null }) as AuthUser;

function tokenMatches(given: string, expected: string | null | undefined): boolean {
  if (!expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether a request goes to the API: by the matched route's pattern, else by its raw path. */
function isApiRequest(request: FastifyRequest): boolean {
  const pattern = request.routeOptions.url;
  const path = pattern ?? decodeURIComponentSafe(request.url.split('?')[0]);
  return path === '/api' || path.startsWith('/api/');
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function refuse(reply: FastifyReply, statusCode: 401 | 403, message: string) {
  return reply.status(statusCode).header('cache-control', 'no-store')
    .send({ error: statusCode === 401 ? 'unauthorized' : 'forbidden', message, statusCode });
}

async function auth(app: FastifyInstance, opts: AuthOptions) {
  const db = opts.db ?? (app.hasDecorator('db') ? app.db : undefined);
  if (!db) throw new Error('auth plugin: no database — register plugins/db.ts first or pass { db }');
  const store = createAuthStore(db);
  const now = opts.now ?? (() => new Date());
  const ctx: AuthContext = {
    routes: [],
    store,
    now,
    policy: { ...DEFAULT_SESSION_POLICY, ...opts.session },
    limits: {
      accountAddress: new FailureBackoff({ ...LOGIN_LIMITS.perAccountAddress, ...opts.loginLimits?.perAccountAddress }),
      address: new FailureBackoff({ ...LOGIN_LIMITS.perAddress, ...opts.loginLimits?.perAddress }),
    },
  };
  await store.use((conn) => purgeSessions(conn, now()));
  app.decorate('trellisAuth', ctx);
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  app.addHook('onClose', async () => store.close());

  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as AuthRouteConfig;
    const bad = (config.roles ?? []).filter((r) => !ROLES.includes(r));
    if (bad.length) throw new Error(`route ${route.url}: unknown role ${bad.join(', ')} in config.roles (use ${ROLES.join(', ')})`);
    for (const method of [route.method].flat()) {
      ctx.routes.push({ method, url: route.url, config, schema: route.schema as Record<string, unknown> | undefined });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!isApiRequest(request)) return;
    const config = (request.routeOptions.config ?? {}) as AuthRouteConfig;

    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match || !tokenMatches(match[1], opts.localToken)) {
        return refuse(reply, 401, 'Invalid bearer token: use the token in <db>.server.json, or sign in instead');
      }
      request.user = LOCAL_ADMIN;
      request.authVia = 'token';
    } else {
      const header = request.headers.cookie;
      const token = header ? parseCookies(header)[SESSION_COOKIE] : undefined;
      if (token) {
        const user = await store.use((conn) => lookupSession(conn, token, now(), ctx.policy));
        if (user) {
          request.user = user;
          request.authVia = 'session';
        }
      }
    }

    if (!config.public && !request.user) {
      return refuse(reply, 401, 'Sign in first (POST /api/auth/login)');
    }
    if (request.authVia !== 'token') {
      const problem = csrfProblem(request);
      if (problem) return refuse(reply, 403, problem);
    }
    if (config.public) return;
    // Default-deny for employees: a route without config.roles is open to admin, leader and manager only.
    if (!routeAllows(config.roles, request.user!.role)) {
      return refuse(reply, 403, `Not allowed for the ${request.user!.role} role`);
    }
  });
}

/** Register after plugins/db.ts: `app.register(authPlugin, { localToken })`. */
export const authPlugin = fp(auth, { name: 'trellis-auth', fastify: '5.x' });
export default authPlugin;
