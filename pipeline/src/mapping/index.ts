// Column mappings for vendor exports (issue 8). See docs/mappings.md.
export { loadMapping, parseMapping } from './parse.ts';
export { applyMapping, dropMapped, type MappedFile, type MappedDataset } from './apply.ts';
export { resolveMappedFiles, loadMappings, mappingMatches, globToRegExp, type Resolved } from './resolve.ts';
export { loadMappedFiles, prepareMappedFiles, type MappedFileResult, type MappedLoadContext, type PreparedMappedFiles } from './load-mapped.ts';
export { checkMapping, formatCheck, type CheckReport } from './check.ts';
export { mappingCommand } from './cli.ts';
export { checkExpression, ALLOWED_FUNCTIONS } from './expression.ts';
export { MappingError } from './errors.ts';
export type { Mapping, DatasetMapping, ColumnMapping } from './types.ts';
