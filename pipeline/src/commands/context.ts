// What every CLI command gets: its streams, environment and working folder (tests pass their own),
// and the config parsed once from them.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import { loadConfig, type Config } from '../config.ts';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Resolves when the process is asked to stop (long-running commands: serve, demo). */
  stopSignal?: () => Promise<string>;
}

export interface CommandContext extends CliIo {
  /** The config, parsed on first use (so `--help` works even with a bad environment). */
  config(): Config;
}

export interface Command {
  name: string;
  /** One line for `trellis --help`. */
  summary: string;
  /** The full `--help` text. */
  usage: string;
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/** A wrong command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function createContext(io: CliIo): CommandContext {
  let config: Config | null = null;
  return { ...io, config: () => (config ??= loadConfig({ env: io.env, cwd: io.cwd })) };
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with errors as UsageError. */
export function parse<O extends Options>(args: string[], options: O, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
  return parsed as { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string } & { help?: boolean }; positionals: string[] };
}

export const line = (stream: Writable, text: string) => stream.write(`${text}\n`);

/**
 * Progress on stderr (never stdout, which may carry data). On a terminal one line is rewritten in
 * place; otherwise a line is printed when the phase changes, every 20th event of a phase, and a phase's last.
 * A run's model tests start beside the models still building: their events interleave, so of those two
 * phases a change prints only the first time.
 */
export function progressPrinter(stderr: Writable): (e: { phase: string; message: string; done?: number; total?: number }) => void {
  const tty = Boolean((stderr as { isTTY?: boolean }).isTTY);
  const seen = new Map<string, number>();
  let lastPhase = '';
  return (e) => {
    const text = `[${e.phase}] ${e.message}${e.total ? ` (${Math.min((e.done ?? 0) + 1, e.total)}/${e.total})` : ''}`;
    if (tty) {
      stderr.write(`\r\x1b[2K${text.slice(0, 150)}${e.phase === 'commit' && e.done === e.total ? '\n' : ''}`);
      return;
    }
    const last = e.total !== undefined && e.done !== undefined && e.done >= e.total;
    const n = (seen.get(e.phase) ?? 0) + 1;
    seen.set(e.phase, n);
    const changed = e.phase !== lastPhase && (n === 1 || (e.phase !== 'models' && e.phase !== 'tests'));
    if (changed || last || n % 20 === 0) stderr.write(`${text}\n`);
    lastPhase = e.phase;
  };
}
