// buildServer: the Fastify app in the order of guide/style.md — external plugins (cookie, swagger,
// multipart, static, security headers) → app plugins (db, auth) → the route folders under routes/api/<area>/.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../pipeline/src/config.ts';
import type { Db } from '../../pipeline/src/db.ts';
import { installErrorHandler, type ErrorLog } from './errors.ts';
import dbPlugin from './plugins/db.ts';
import authPlugin from './plugins/auth.ts';
import ssoPlugin from './plugins/sso.ts';
import hostCheckPlugin, { allowedHostNames } from './host-check.ts';
import noStorePlugin from './plugins/no-store.ts';
import securityHeadersPlugin from './plugins/security-headers.ts';
import timeoutsPlugin, { serverTimeouts } from './plugins/timeouts.ts';
import { PipelineRunner } from './pipeline-runner.ts';
import { DEFAULT_STATIC_DIR, REPO_ROOT, SERVER_DIR as here } from './paths.ts';

export { REPO_ROOT, DEFAULT_STATIC_DIR };

/** What the server reads from the config (pipeline/src/config.ts `Config` satisfies it). */
export type ServerConfig = Pick<Config, 'inbox'> & Partial<Config> & {
  /** Built SPA to serve (default dashboard/build). */
  staticDir?: string;
  /** Column-mapping files (YAML) whose `pattern` an uploaded file name may match. */
  mappingsDir?: string;
};

export interface BuildServerOptions {
  config: ServerConfig;
  db: Db;
  /** Local admin token (written to `<db>.server.json`); `Authorization: Bearer <token>`. */
  localToken?: string | null;
  logger?: FastifyServerOptions['logger'];
  /** Read connections in the pool (default 4). */
  poolSize?: number;
  /** Options passed to the auth plugin (tests pin its clock). */
  auth?: Record<string, unknown>;
  /** Where a failed request (5xx) is written, with its stack (default: standard error). */
  errorLog?: ErrorLog;
}

export interface RouteEntry { method: string | string[]; url: string }

declare module 'fastify' {
  interface FastifyInstance {
    trellisConfig: ServerConfig;
    pipelineRunner: PipelineRunner;
    /** Every route registered (tests walk it). */
    routeTable: RouteEntry[];
  }
}

/** Route folders under routes/api, each registered at /api/<folder> (`system` at /api). */
async function registerRoutes(app: FastifyInstance) {
  const dir = path.join(here, 'routes', 'api');
  const areas = fs.readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
  for (const area of areas) {
    const mod = await import(pathToFileURL(path.join(dir, area, 'index.ts')).href);
    const plugin = mod.default ?? Object.values(mod).find((v) => typeof v === 'function');
    if (typeof plugin !== 'function') throw new Error(`routes/api/${area}/index.ts exports no route plugin`);
    await app.register(plugin, { prefix: area === 'system' ? '/api' : `/api/${area}` });
  }
}

export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    // X-Forwarded-For (request.ip) only from the configured proxies; off by default.
    trustProxy: config.trustProxy ?? false,
    // Unknown query parameters are an error (400), not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    ...serverTimeouts(config),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  app.decorate('trellisConfig', config);
  app.decorate('pipelineRunner', new PipelineRunner());
  installErrorHandler(app, options.errorLog);
  app.decorate('routeTable', [] as RouteEntry[]);
  app.addHook('onRoute', (route) => { app.routeTable.push({ method: route.method, url: route.url }); });
  await app.register(hostCheckPlugin, { allowed: allowedHostNames(config) });

  // External plugins.
  await app.register(timeoutsPlugin, { config });
  await app.register(noStorePlugin);
  const staticDir = config.staticDir ?? DEFAULT_STATIC_DIR;
  await app.register(securityHeadersPlugin, { staticDir });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Trellis API', version: '0.1.0', description: 'Career-pathing and workforce-planning analytics' },
    },
  });
  await app.register(multipart, {
    // Keep the client's file name as sent, so names with folders are refused rather than silently cut.
    preservePath: true,
    limits: { fileSize: Math.round((config.uploadLimitMb ?? 50) * 1024 * 1024), files: 1, fields: 5, fieldSize: 1024 },
  });
  const hasSpa = fs.existsSync(path.join(staticDir, 'index.html'));
  if (hasSpa) await app.register(fastifyStatic, { root: staticDir, wildcard: false, index: ['index.html'] });

  // App plugins.
  await app.register(dbPlugin, { db, poolSize: options.poolSize });
  await app.register(authPlugin, { localToken: options.localToken ?? null, ...(options.auth ?? {}) });
  await app.register(ssoPlugin, { oidc: config.oidc ?? null, localLogin: config.localLogin ?? true });

  // Routes.
  await registerRoutes(app);

  // SPA fallback: non-/api GETs get index.html; everything else is a JSON 404.
  app.setNotFoundHandler((request, reply) => {
    const urlPath = request.url.split('?')[0];
    const isApi = urlPath === '/api' || urlPath.startsWith('/api/');
    if (request.method === 'GET' && !isApi && hasSpa) return reply.type('text/html').sendFile('index.html');
    if (request.method === 'GET' && !isApi) {
      return reply.status(404).type('text/plain')
        .send('The dashboard is not built yet: run `npm run build` (the API is under /api).');
    }
    return reply.status(404).send({ error: 'not_found', message: `No route ${request.method} ${urlPath}`, statusCode: 404 });
  });
  return app;
}
