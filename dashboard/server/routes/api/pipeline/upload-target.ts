// What an uploaded file will load as: through a configured column mapping (named in the upload, or found
// by the mappings' patterns exactly as a run finds it: pipeline/src/mapping/resolve.ts), or as the
// dataset its name starts with. The same rules as the run, so the answer is what the next run does.
import path from 'node:path';
import { datasetForFile, nearName } from '../../../../../pipeline/src/datasets.ts';
import { loadMappings, mappingMatches, resolveMappedFiles } from '../../../../../pipeline/src/mapping/resolve.ts';
import { MappingError } from '../../../../../pipeline/src/mapping/errors.ts';
import type { Mapping } from '../../../../../pipeline/src/mapping/types.ts';
import { BadRequestError } from '../../../errors.ts';

export interface UploadTarget {
  /** The dataset when the file feeds exactly one, else null. */
  dataset: string | null;
  /** Every dataset the file feeds. */
  datasets: string[];
  /** File name of the mapping in the mappings folder, or null (read by dataset name). */
  mapping: string | null;
}

export interface MappingInfo {
  file: string;
  name: string;
  description: string | null;
  patterns: string[];
  datasets: string[];
}

/** The configured mappings; a broken mapping file is a 400 naming it (the run would fail on it too). */
export function configuredMappings(mappingsDir: string | undefined): Mapping[] {
  if (!mappingsDir) return [];
  try {
    return loadMappings(mappingsDir);
  } catch (err) {
    if (err instanceof MappingError) throw new BadRequestError(`The mappings folder has a broken mapping, fix it first: ${err.message}`);
    throw err;
  }
}

export function describeMapping(m: Mapping): MappingInfo {
  return {
    file: path.basename(m.file), name: m.name, description: m.description ?? null,
    patterns: m.patterns, datasets: m.datasets.map((d) => d.dataset),
  };
}

/** Throws BadRequestError saying what to do when the file would not load. */
export function uploadTarget(name: string, mappings: Mapping[], requested: string | null): UploadTarget {
  const fromMapping = (m: Mapping): UploadTarget => {
    const datasets = m.datasets.map((d) => d.dataset);
    return { dataset: datasets.length === 1 ? datasets[0] : null, datasets, mapping: path.basename(m.file) };
  };
  const known = () => mappings.map((m) => path.basename(m.file)).join(', ') || 'none (the mappings folder is empty)';
  const resolved = resolveMappedFiles([name], mappings);
  if (requested) {
    const stem = (f: string) => path.basename(f).replace(/\.ya?ml$/i, '');
    const m = mappings.find((x) => path.basename(x.file) === requested || stem(x.file) === requested || x.name === requested);
    if (!m) throw new BadRequestError(`Unknown mapping "${requested}": configured mappings are ${known()}`);
    if (!mappingMatches(m, name)) {
      throw new BadRequestError(`File name "${name}" does not match the pattern of mapping ${path.basename(m.file)} (${m.patterns.join(', ')}); rename the file so the run reads it through that mapping`);
    }
  }
  if (resolved.ambiguous.length) throw new BadRequestError(resolved.ambiguous[0].reason);
  if (resolved.mapped.length) return fromMapping(resolved.mapped[0].mapping);
  const dataset = datasetForFile(name);
  if (!dataset) {
    const near = nearName(name);
    throw new BadRequestError(`File name "${name}" names no dataset: ${near ? `a dataset name must be followed by "_" or the extension: rename it ${near}`
      : 'start it with a dataset name (e.g. employees.csv, reviews_2026.csv)'} or match a configured mapping's pattern (mappings: ${known()})`);
  }
  return { dataset, datasets: [dataset], mapping: null };
}
