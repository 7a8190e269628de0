// Initial JavaScript per page of the built dashboard, gzipped: the client entry (start + app), the root
// layout node and the page's node with everything they import statically (what the browser must fetch
// before a page can show). Reads Vite's manifest of the last `npm run build`.
// Usage: npx tsx dashboard/scripts/bundle-size.ts [--json] [--limit-kb 250]   (exit 1 when over the limit)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

interface Chunk { file: string; src?: string; isEntry?: boolean; imports?: string[]; css?: string[] }
export interface PageSize { node: string; files: number; gzipBytes: number }
export interface BundleReport { limitKb: number; maxGzipBytes: number; pages: PageSize[]; ok: boolean }

const dashboardDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function measureBundle(dir = dashboardDir, limitKb = 250): BundleReport {
  const outDir = path.join(dir, '.svelte-kit/output/client');
  const manifestFile = path.join(outDir, '.vite/manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile} is missing: run \`npm run build\` first`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, Chunk>;
  const gz = new Map<string, number>();
  const sizeOf = (file: string) => {
    if (!gz.has(file)) gz.set(file, zlib.gzipSync(fs.readFileSync(path.join(outDir, file)), { level: 9 }).length);
    return gz.get(file)!;
  };
  const closure = (keys: string[]) => {
    const seen = new Set<string>();
    const walk = (k: string) => {
      if (seen.has(k) || !manifest[k]) return;
      seen.add(k);
      for (const i of manifest[k].imports ?? []) walk(i);
    };
    keys.forEach(walk);
    return [...seen].map((k) => manifest[k].file).filter((f) => f.endsWith('.js'));
  };
  const entries = Object.keys(manifest).filter((k) => manifest[k].isEntry && !/nodes\/\d+\.js$/.test(k));
  const nodeKeys = Object.keys(manifest).filter((k) => /nodes\/\d+\.js$/.test(k));
  const layout = nodeKeys.find((k) => k.endsWith('nodes/0.js'));
  const pages = nodeKeys.filter((k) => !k.endsWith('nodes/0.js') && !k.endsWith('nodes/1.js')).map((k) => {
    const files = closure([...entries, ...(layout ? [layout] : []), k]);
    return { node: pageName(dir, k), files: files.length, gzipBytes: files.reduce((t, f) => t + sizeOf(f), 0) };
  }).sort((a, b) => b.gzipBytes - a.gzipBytes);
  const maxGzipBytes = Math.max(0, ...pages.map((p) => p.gzipBytes));
  return { limitKb, maxGzipBytes, pages, ok: maxGzipBytes <= limitKb * 1024 };
}

/** The route a generated node file loads (read from the generated node module), else the node file name. */
function pageName(dir: string, key: string): string {
  const file = path.join(dir, key);
  if (!fs.existsSync(file)) return key;
  const m = /src\/routes(\/[^"']*)?\/\+page/.exec(fs.readFileSync(file, 'utf8'));
  return m ? (m[1] || '/') : key;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const li = args.indexOf('--limit-kb');
  const report = measureBundle(dashboardDir, li >= 0 ? Number(args[li + 1]) : 250);
  if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else {
    for (const p of report.pages) console.log(`${(p.gzipBytes / 1024).toFixed(1).padStart(7)} kB gz  ${p.files} files  ${p.node}`);
    console.log(`largest initial JS: ${(report.maxGzipBytes / 1024).toFixed(1)} kB gzipped (limit ${report.limitKb} kB): ${report.ok ? 'ok' : 'OVER'}`);
  }
  process.exitCode = report.ok ? 0 : 1;
}
