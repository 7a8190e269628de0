// Vite config for the dashboard; run from dashboard/ (`cd dashboard && vite build`, see the root package.json).
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // `npm run dev`: the Vite dev server proxies the API to a running Trellis server (default port 3000).
    proxy: { '/api': process.env.TRELLIS_API ?? 'http://127.0.0.1:3000' },
  },
  build: { chunkSizeWarningLimit: 600 },
});
