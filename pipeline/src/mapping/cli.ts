// `trellis mapping ...` commands. `main` in pipeline/src/cli.ts routes `mapping` here.
import { checkMapping, formatCheck } from './check.ts';
import type { MappingLimits } from './limits.ts';

const HELP = `Usage: trellis mapping check <mapping.yml> <file> [--rows N] [--json]

Shows what a column mapping would do to an export, before anything is loaded (on a throwaway
in-memory database): each canonical column's source, the first rows as they would be loaded, and
every row that would be rejected and why. Exit code 0 when the file would load, 1 otherwise.

  --rows N   rows to preview per dataset (default 5)
  --json     print the report as JSON

The mapping format is described in docs/mappings.md; presets are in fixtures/mappings/.`;

export async function mappingCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
  err: (s: string) => void = (s) => process.stderr.write(`${s}\n`), limits?: Partial<MappingLimits>): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') { out(HELP); return sub ? 0 : 2; }
  if (sub !== 'check') { err(`unknown mapping command "${sub}"\n\n${HELP}`); return 2; }
  if (rest.includes('--help') || rest.includes('-h')) { out(HELP); return 0; }
  const positional: string[] = [];
  let rows = 5;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--rows') {
      rows = Number(rest[++i]);
      if (!Number.isInteger(rows) || rows < 0) { err('--rows takes a whole number, e.g. --rows 10'); return 2; }
    } else if (rest[i] === '--json') json = true;
    else if (rest[i].startsWith('--')) { err(`unknown option ${rest[i]}\n\n${HELP}`); return 2; }
    else positional.push(rest[i]);
  }
  if (positional.length !== 2) { err(`mapping check needs a mapping file and a data file\n\n${HELP}`); return 2; }
  const report = await checkMapping(positional[0], positional[1], { previewRows: rows, limits });
  if (json) out(JSON.stringify(report, null, 2));
  else out(formatCheck(report));
  return report.ok && !report.error ? 0 : 1;
}
