// Security headers on every answer (SPA files, the index.html fallback, /api): @fastify/helmet with a
// Content-Security-Policy the built SPA passes. The one inline script of the built index.html (SvelteKit's
// bootstrap) is allowed by its SHA-256, computed here from the file itself, so script-src needs no
// 'unsafe-inline' (docs/architecture.md "Security headers" says why this and not kit.csp).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';

/** `'sha256-…'` sources for every inline `<script>` (no src) of an HTML text, in document order. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (/\bsrc\s*=/i.test(m[1])) continue;
    hashes.push(`'sha256-${crypto.createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/** The hashes of a built index.html, re-read only when the file changes (a rebuild while the server runs). */
export function indexHashes(indexFile: string): () => string[] {
  let seen = { mtimeMs: -1, size: -1 };
  let hashes: string[] = [];
  return () => {
    let stat: fs.Stats;
    try { stat = fs.statSync(indexFile); } catch { return []; }
    if (stat.mtimeMs !== seen.mtimeMs || stat.size !== seen.size) {
      hashes = inlineScriptHashes(fs.readFileSync(indexFile, 'utf8'));
      seen = { mtimeMs: stat.mtimeMs, size: stat.size };
    }
    return hashes;
  };
}

/**
 * The policy's directives. Styles: 'unsafe-inline' for style-src only — the built shell itself has a
 * `style` attribute (`<div style="display: contents">`), Svelte renders `style="…"` attributes, and Plot
 * writes a `<style>` element and `style` attributes into each chart's SVG; inline CSS cannot run script.
 */
export function cspDirectives(scriptHashes: () => string[]) {
  return {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'", () => scriptHashes().join(' ')],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    // data: for the empty favicon (`<link rel="icon" href="data:,">`) and Plot's data-URL images, if any.
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    // Not upgrade-insecure-requests: a self-hosted server on plain http (a LAN, localhost) would break.
    upgradeInsecureRequests: null,
  };
}

export interface SecurityHeadersOptions {
  /** The built SPA folder (its index.html's inline scripts are hashed); absent = no inline script allowed. */
  staticDir?: string;
}

async function securityHeaders(app: FastifyInstance, options: SecurityHeadersOptions) {
  const hashes = options.staticDir ? indexHashes(path.join(options.staticDir, 'index.html')) : () => [];
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(hashes) },
    // frame-ancestors 'none' above; X-Frame-Options for browsers that do not read CSP.
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS belongs to whoever terminates TLS (a reverse proxy): the server itself may be plain http.
    strictTransportSecurity: false,
  });
}

export default fp(securityHeaders, { name: 'trellis-security-headers' });
