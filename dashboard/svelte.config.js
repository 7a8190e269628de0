// SvelteKit config for the dashboard SPA. Built with `npm run build` from the repo root
// (which runs `vite build` inside dashboard/), output in dashboard/build, served by the Fastify server.
import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    // SPA: every unknown path falls back to index.html and the client router takes over.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
    // The server serves /api on the same origin; nothing is prerendered except the fallback shell.
    prerender: { entries: [] },
  },
};

export default config;
