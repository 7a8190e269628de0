// The ingest layer's public surface.
export { ensureSourceTables, srcTable, REJECTS_TABLE } from './tables.ts';
export { loadFiles, isRawInput, LOAD_ORDER, type FileResult, type FileInput, type LoadContext, type LoadInput, type RawInput } from './load.ts';
export { validateAndApply, DEFAULT_MAX_REJECTS_PER_FILE, type ValidateContext, type ValidateResult } from './validate.ts';
export { readFile, type ReadResult } from './read.ts';
export { readerReason, shorten } from './read-csv.ts';
export { RefusedError, matchColumns } from './columns.ts';
export { UNKNOWN_REFERENCE_LIKE } from './references.ts';
export { scanCsv, type CsvScan } from './csv-scan.ts';
