// Which inbox files are read through a mapping. Only mappings in the configured mappings folder apply
// (the shipped presets in fixtures/mappings/ are examples to copy, never applied on their own); a file
// whose name matches a mapping's pattern is read through it instead of by dataset name.
import fs from 'node:fs';
import path from 'node:path';
import { MappingError } from './errors.ts';
import { loadMapping } from './parse.ts';
import type { Mapping } from './types.ts';

/** Glob on a file name, in any case: `*` any run of characters, `?` one character, `[abc]` a set. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

export function mappingMatches(mapping: Mapping, fileName: string): boolean {
  const base = path.basename(fileName);
  return mapping.patterns.some((p) => globToRegExp(p).test(base));
}

/** Every `*.yml` / `*.yaml` mapping in a folder, by file name. A missing folder has none. Throws MappingError. */
export function loadMappings(mappingsDir: string): Mapping[] {
  if (!fs.existsSync(mappingsDir)) return [];
  return fs.readdirSync(mappingsDir)
    .filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.'))
    .sort()
    .map((n) => loadMapping(path.join(mappingsDir, n)));
}

export interface Resolved<F> {
  /** Files to read through a mapping. */
  mapped: { file: F; mapping: Mapping }[];
  /** Files read by dataset name as usual. */
  unmapped: F[];
  /** Files matched by more than one mapping: refuse them with this reason. */
  ambiguous: { file: F; reason: string }[];
}

/**
 * Split inbox files into those a mapping applies to and the rest. `files` are names or `{ name }` objects
 * (e.g. the run's InboxFile); each keeps its identity in the result. Throws MappingError for a bad mapping
 * file in the folder: a broken configuration must not silently load files the wrong way.
 */
export function resolveMappedFiles<F extends string | { name: string }>(files: readonly F[], mappingsDir: string | Mapping[]): Resolved<F> {
  const mappings = typeof mappingsDir === 'string' ? loadMappings(mappingsDir) : mappingsDir;
  const out: Resolved<F> = { mapped: [], unmapped: [], ambiguous: [] };
  for (const file of files) {
    const name = typeof file === 'string' ? file : file.name;
    const hits = mappings.filter((m) => mappingMatches(m, name));
    if (hits.length === 0) out.unmapped.push(file);
    else if (hits.length === 1) out.mapped.push({ file, mapping: hits[0] });
    else {
      out.ambiguous.push({
        file,
        reason: `${path.basename(name)} matches several mappings (${hits.map((m) => path.basename(m.file)).join(', ')}); make their patterns exclusive`,
      });
    }
  }
  return out;
}

export { MappingError };
