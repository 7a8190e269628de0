// DNS-rebinding guard: the server answers only to the host names it is meant to be reached by. A page
// on a rebinding domain (evil.example resolving to 127.0.0.1) reaches the server same-origin, so Origin
// checks and the CSRF header do not stop it; its requests carry `Host: evil.example`, which this refuses
// (421 Misdirected Request) before any route, static file or sign-in runs.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../pipeline/src/config.ts';
import { hostName } from '../../pipeline/src/host-names.ts';

const ALWAYS = ['localhost', '127.0.0.1', '[::1]'];
const ANY_INTERFACE = new Set(['0.0.0.0', '[::]']);

/** localhost, 127.0.0.1, [::1], the configured `host` unless it is 0.0.0.0/::, and `allowedHosts`. */
export function allowedHostNames(config: Partial<Pick<Config, 'host' | 'allowedHosts'>>): Set<string> {
  const own = config.host ? hostName(config.host) : null;
  return new Set([...ALWAYS, ...(own && !ANY_INTERFACE.has(own) ? [own] : []), ...(config.allowedHosts ?? [])]);
}

async function hostCheck(app: FastifyInstance, opts: { allowed: Set<string> }) {
  app.addHook('onRequest', async (request, reply) => {
    // request.host: the Host header, or X-Forwarded-Host from a trusted proxy (trustProxy).
    const name = hostName(request.host ?? '');
    if (name && opts.allowed.has(name)) return;
    return reply.status(421).type('text/plain; charset=utf-8').header('cache-control', 'no-store')
      .send(`Misdirected request: this Trellis server does not answer to ${name ? `the host name "${name}"` : 'that host name'}; `
        + 'an admin can add it to TRELLIS_ALLOWED_HOSTS (allowedHosts).\n');
  });
}

/** Register first in buildServer: `app.register(hostCheckPlugin, { allowed: allowedHostNames(config) })`. */
export const hostCheckPlugin = fp(hostCheck, { name: 'trellis-host-check', fastify: '5.x' });
export default hostCheckPlugin;
