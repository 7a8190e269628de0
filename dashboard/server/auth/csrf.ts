// Cross-site request protection for state-changing calls: the browser's Origin (or, failing that,
// Referer) must name this server's own host (request.host: the Host header host-check.ts has checked,
// or X-Forwarded-Host from a trusted proxy), or the request carries the `x-trellis-csrf` header (a
// custom header a cross-site form cannot send). Bearer-token calls (the CLI) are exempt.
import type { FastifyRequest } from 'fastify';

export const CSRF_HEADER = 'x-trellis-csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** host[:port] lower-cased, without a default port (80/443), so `localhost:80` equals `localhost`. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/:(80|443)$/, '');
}

function hostOf(url: string): string | null {
  try {
    return normalHost(new URL(url).host);
  } catch {
    return null;
  }
}

/** Null when the request may proceed, else the reason it is refused. */
export function csrfProblem(request: FastifyRequest): string | null {
  if (SAFE.has(request.method)) return null;
  if (request.headers[CSRF_HEADER]) return null;
  const host = normalHost(request.host);
  const origin = request.headers.origin;
  if (origin && origin !== 'null') {
    return hostOf(origin) === host ? null : 'cross-site request refused: the Origin header does not match this server';
  }
  const referer = request.headers.referer;
  if (referer) {
    return hostOf(referer) === host ? null : 'cross-site request refused: the Referer header does not match this server';
  }
  return `cross-site request refused: send an Origin header from this server or the ${CSRF_HEADER} header`;
}
