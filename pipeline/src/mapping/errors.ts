// One error type for a mapping that cannot be used: it names the mapping file, the dataset and the column.

export class MappingError extends Error {
  readonly mappingFile: string;
  readonly dataset?: string;
  readonly column?: string;

  constructor(mappingFile: string, message: string, where: { dataset?: string; column?: string } = {}) {
    const at = [where.dataset && `dataset ${where.dataset}`, where.column && `column ${where.column}`]
      .filter(Boolean).join(', ');
    super(`${mappingFile}${at ? ` (${at})` : ''}: ${message}`);
    this.name = 'MappingError';
    this.mappingFile = mappingFile;
    this.dataset = where.dataset;
    this.column = where.column;
  }
}
