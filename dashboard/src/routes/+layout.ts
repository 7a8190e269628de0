// SPA: render in the browser only; the Fastify server serves build/index.html for every page path.
import { getMeta, settle } from '$lib/api.ts';

export const ssr = false;
export const prerender = false;

/** /api/meta (as-of date, last run, user) for every page's header and the nav bar. */
export async function load({ fetch, url }) {
  if (url.pathname === '/login') return { meta: undefined };
  return { meta: await settle(getMeta(fetch)) };
}
