// Route files of the auth area work whether the server registers them under their prefix
// (`{ prefix: '/api/auth' }`) or at the root: the path base adapts to the prefix already in effect.
import type { FastifyInstance } from 'fastify';

export function basePath(app: FastifyInstance, area: string): string {
  const prefix = app.prefix.replace(/\/+$/, '');
  return prefix.endsWith(area) ? '' : area.slice(prefix.length);
}
