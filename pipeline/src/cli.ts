// The `trellis` command line: a table of commands, each thin over the modules that do the work.
// `main(argv)` returns the exit code; a failure prints one line naming the reason (stderr).
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { createContext, line, UsageError, type CliIo, type Command } from './commands/context.ts';
import { keepNewFilesPrivate } from './private-files.ts';
import { CONFIG_ENV_NAMES, CONFIG_FILE } from './config.ts';
import { backupCommand, restoreCommand } from './commands/backup.ts';
import { demoCommand } from './commands/demo.ts';
import { exportCommand } from './commands/export.ts';
import { runCommand } from './commands/run.ts';
import { REPO_ROOT, serveCommand } from './commands/serve.ts';

/** `trellis user …` lives in pipeline/src/users.ts (auth); wired here when that module is present. */
const userCommand: Command = {
  name: 'user',
  summary: 'manage dashboard accounts: user add|list|remove|passwd',
  usage: 'Usage: trellis user add|list|remove|passwd [options]   (trellis user --help for details)',
  async run(args, ctx) {
    const file = path.join(REPO_ROOT, 'pipeline', 'src', 'users.ts');
    if (!fs.existsSync(file)) throw new Error('user management (pipeline/src/users.ts) is not part of this checkout');
    const mod = await import(pathToFileURL(file).href) as {
      usersCommand?: (argv: string[], c: object) => Promise<number>;
    };
    if (!mod.usersCommand) throw new Error('pipeline/src/users.ts exports no usersCommand');
    const sub = args[0] === '--help' || args[0] === '-h' ? ['help'] : args;
    return mod.usersCommand(sub, { config: ctx.config(), cwd: ctx.cwd, stdout: ctx.stdout, stderr: ctx.stderr });
  },
};

/** `trellis mapping check` lives in pipeline/src/mapping/cli.ts (column mappings). */
const mappingCommand: Command = {
  name: 'mapping',
  summary: 'check what a column mapping does to a vendor export before loading it',
  usage: 'Usage: trellis mapping check <mapping.yml> <file> [--rows N] [--json]   (trellis mapping --help for details)',
  async run(args, ctx) {
    const { mappingCommand: run } = await import('./mapping/cli.ts');
    return run(args, (s) => line(ctx.stdout, s), (s) => line(ctx.stderr, s), ctx.config());
  },
};

/** Every command; add one here (name, summary, usage, run) and it shows in `trellis --help`. */
export const COMMANDS: Command[] = [runCommand, exportCommand, serveCommand, demoCommand, userCommand, mappingCommand, backupCommand, restoreCommand];

/** `text` broken at spaces into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: trellis <command> [options]',
    '',
    'Trellis: self-hosted career-pathing and workforce-planning analytics.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `trellis <command> --help` for the options of a command.',
    ...wrap(`Configuration: ${CONFIG_ENV_NAMES.join(', ')}, or ${CONFIG_FILE} (README.md "Configuration").`, 100),
  ].join('\n');
}

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  keepNewFilesPrivate(); // the database, its WAL and spill folder, backups, exports: HR data
  const ctx = createContext({
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    stopSignal: io.stopSignal ?? stopSignal,
  });
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    line(name ? ctx.stdout : ctx.stderr, overview());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    line(ctx.stderr, `trellis: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')} (trellis --help)`);
    return 2;
  }
  try {
    return await command.run(args, ctx);
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    if (err instanceof UsageError) {
      line(ctx.stderr, `trellis ${name}: ${message} (trellis ${name} --help)`);
      return 2;
    }
    line(ctx.stderr, `trellis ${name}: ${message}`);
    return 1;
  }
}
