// Which uploaded file names may be written into the inbox: a plain name (no path characters) ending in
// .csv or .parquet. Which dataset or mapping the file then loads as is the pipeline route's business
// (datasetForFile / resolveMappedFiles, the same rules as a run).

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,200}\.(csv|parquet)$/i;

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
