// SPA: render in the browser only; the Fastify server serves build/index.html for every page path.
export const ssr = false;
export const prerender = false;
