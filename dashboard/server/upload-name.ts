// Which uploaded file names the inbox accepts: a plain name (no path characters) ending in .csv or
// .parquet that names a dataset of the import contract, or matches a configured mapping's pattern.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { datasetForFile } from '../../pipeline/src/datasets.ts';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,200}\.(csv|parquet)$/i;

/** A glob (`*`, `?`) on a file name as a RegExp, case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}

/** The `pattern` of each mapping file (YAML) in the folder, by mapping name (file stem). */
export function mappingPatterns(dir: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!dir || !fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n)).sort()) {
    try {
      const doc = YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { pattern?: unknown; patterns?: unknown; match?: unknown };
      const raw = doc?.pattern ?? doc?.patterns ?? doc?.match;
      const list = (Array.isArray(raw) ? raw : [raw]).filter((p): p is string => typeof p === 'string');
      out.set(f.replace(/\.ya?ml$/i, ''), list);
    } catch {
      // An unreadable mapping matches nothing; `trellis mapping check` reports it.
    }
  }
  return out;
}

export type NameCheck = { ok: true; dataset: string | null; mapping: string | null } | { ok: false; reason: string };

/** Why a name may not be written into the inbox (path characters, odd characters, not .csv/.parquet), or null. */
export function unsafeNameReason(name: string): string | null {
  if (!name || /[\\/]/.test(name) || name.includes('..') || name.includes('\0')) {
    return `File name "${name}" is not allowed: give a plain file name without folders`;
  }
  if (!SAFE_NAME.test(name)) {
    return `File name "${name}" is not allowed: use letters, digits, '.', '_', '-' or spaces, ending in .csv or .parquet`;
  }
  return null;
}

export function checkUploadName(name: string, opts: { mappingsDir?: string; mapping?: string | null } = {}): NameCheck {
  const unsafe = unsafeNameReason(name);
  if (unsafe) return { ok: false, reason: unsafe };
  const patterns = mappingPatterns(opts.mappingsDir);
  if (opts.mapping) {
    const pats = patterns.get(opts.mapping);
    if (!pats) return { ok: false, reason: `Unknown mapping "${opts.mapping}": known mappings are ${[...patterns.keys()].join(', ') || 'none'}` };
    if (!pats.some((p) => globToRegExp(p).test(name))) {
      return { ok: false, reason: `File name "${name}" does not match the pattern of mapping "${opts.mapping}" (${pats.join(', ')})` };
    }
    return { ok: true, dataset: null, mapping: opts.mapping };
  }
  const dataset = datasetForFile(name);
  if (dataset) return { ok: true, dataset, mapping: null };
  for (const [mapping, pats] of patterns) {
    if (pats.some((p) => globToRegExp(p).test(name))) return { ok: true, dataset: null, mapping };
  }
  return {
    ok: false,
    reason: `File name "${name}" names no dataset: start it with a dataset name (e.g. employees.csv, reviews_2026.csv) or match a configured mapping`,
  };
}
