// Every answer under /api carries HR data or account state: browsers and proxies must not keep it
// (`Cache-Control: no-store`), whatever route, status or format. The SPA's static files stay cacheable.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

async function noStore(app: FastifyInstance) {
  app.addHook('onSend', async (request, reply) => {
    const urlPath = request.url.split('?')[0];
    if (urlPath === '/api' || urlPath.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}

export default fp(noStore, { name: 'trellis-no-store' });
