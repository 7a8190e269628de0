// Single sign-on (OpenID Connect) for the server, when `oidc` is configured: the client
// (auth/oidc.ts), and the roles of accounts made by single sign-on worked out again from the org at
// start (runs may have happened while the server was down) and after every run the server's pipeline
// runner finishes (the scheduled run, the dashboard's, `trellis run` through the server).
// Register after plugins/auth.ts.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { OidcConfig } from '../../../pipeline/src/config-oidc.ts';
import { OidcClient } from '../auth/oidc.ts';
import { recomputeSsoRoles } from '../auth/org-roles.ts';

export interface SsoContext {
  /** Null when single sign-on is not configured. */
  client: OidcClient | null;
  /** Whether username/password sign-in is offered (config `localLogin`). */
  localLogin: boolean;
  /** Work out the roles of SSO accounts again from the data (after a run); no-op without oidc. */
  recompute(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    trellisSso: SsoContext;
  }
}

async function sso(app: FastifyInstance, opts: { oidc?: OidcConfig | null; localLogin?: boolean }) {
  const settings = opts.oidc ?? null;
  const auth = app.trellisAuth;
  const client = settings ? new OidcClient(settings, auth.now) : null;
  const ctx: SsoContext = {
    client,
    localLogin: opts.localLogin ?? true,
    async recompute() {
      if (!settings) return;
      const changes = await auth.store.use((conn) => recomputeSsoRoles(conn, settings.groupRoles, auth.now()));
      for (const c of changes) app.log.info(`single sign-on: ${c.username} ${c.from} → ${c.to} after the run`);
    },
  };
  app.decorate('trellisSso', ctx);
  if (!settings) return;
  await ctx.recompute();
  if (app.hasDecorator('pipelineRunner')) app.pipelineRunner.onFinished(() => ctx.recompute());
}

export const ssoPlugin = fp(sso, { name: 'trellis-sso', fastify: '5.x', dependencies: ['trellis-auth'] });
export default ssoPlugin;
