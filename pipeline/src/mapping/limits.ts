// What a mapping's expressions may cost. Text: the functions that can build a value much longer than
// their arguments (repeat, lpad, rpad, replace, regexp_replace) are called through guard macros that
// check the length of the result before it is built, so `repeat(x, 2000000000)` fails at once instead of
// allocating gigabytes (DuckDB's memory_limit does not cover text built inside an expression). Time: the
// statements that evaluate a file's expressions share one deadline; at its end the connection is
// interrupted. Callers turn both into a MappingError naming the mapping, dataset and column.
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, literal } from '../db.ts';

/** Named as the config keys (config.ts), so a `Config` can be passed as it is. */
export interface MappingLimits {
  /** The longest text a guarded function may build. */
  mappingMaxChars: number;
  /** The time the expressions of one file may take (reading the file is not counted). */
  mappingTimeoutSeconds: number;
}

/** The defaults (as config.ts's). */
const DEFAULT_MAPPING_LIMITS: MappingLimits = { mappingMaxChars: 10_000, mappingTimeoutSeconds: 60 };

/** The limits given (e.g. a partial config), the defaults for the rest. */
export function mappingLimits(given: Partial<MappingLimits> = {}): MappingLimits {
  return {
    mappingMaxChars: given.mappingMaxChars ?? DEFAULT_MAPPING_LIMITS.mappingMaxChars,
    mappingTimeoutSeconds: given.mappingTimeoutSeconds ?? DEFAULT_MAPPING_LIMITS.mappingTimeoutSeconds,
  };
}

/**
 * Each guarded function: its arguments and the lengths its result may reach, checked in order against the
 * limit before it runs (the count first: a huge one would overflow the product).
 */
const GUARDS: Record<string, { args: string[]; lengths: string[] }> = {
  // s may be a list (of long texts): its text form is at least as long as its elements together
  repeat: { args: ['s', 'n'], lengths: ['try_cast(n as bigint)', 'len(s::varchar) * try_cast(n as bigint)'] },
  lpad: { args: ['s', 'n', 'p'], lengths: ['try_cast(n as bigint)'] },
  rpad: { args: ['s', 'n', 'p'], lengths: ['try_cast(n as bigint)'] },
  // each occurrence of a becomes b
  replace: { args: ['s', 'a', 'b'], lengths: ["len(s) + (len(s) - len(replace(s, a, ''))) // greatest(len(a), 1) * (len(b) - len(a))"] },
  // at most len(s) + 1 matches, each becoming r, whose backreferences (\0..\9) repeat at most the matched text
  regexp_replace: { args: ['s', 'p', 'r'], lengths: ["len(s) * (1 + len(r) - len(replace(r, '\\', ''))) + (len(s) + 1) * len(r)"] },
};

export const GUARDED_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(GUARDS));

/** A guarded call: the function, and regexp_replace's options (DuckDB wants them as a constant, so they are part of the macro). */
export interface Guard { fn: string; options?: string }

/** The guard macro an expression calls instead of the function. */
export function guardName(g: Guard): string {
  return `__trellis_${g.fn}${g.options === undefined ? '' : `_o_${g.options}`}`;
}

const OVER = / would make a value over \d+ characters/;

/** True when a DuckDB error comes from a guard macro. */
export function isOverLimit(message: string): boolean {
  return OVER.test(message);
}

/** Define, on this connection only, the guard macros for the limit. */
export async function defineGuards(conn: DuckDBConnection, guards: Guard[], maxChars: number): Promise<void> {
  if (!Number.isSafeInteger(maxChars) || maxChars < 0) throw new Error(`mappingMaxChars must be a whole number, not ${maxChars}`);
  for (const g of guards) {
    const { args, lengths } = GUARDS[g.fn];
    if (g.options !== undefined && !/^[a-z]*$/.test(g.options)) throw new Error(`internal: regexp options ${g.options} are not letters`);
    // the options argument is taken (the call has it) but the macro passes its own constant
    const params = g.options === undefined ? args : [...args, 'o'];
    const call = g.options === undefined ? args : [...args, literal(g.options)];
    const fail = `error(${literal(`${g.fn}() would make a value over ${maxChars} characters`)})`;
    await exec(conn, `create or replace temp macro ${guardName(g)}(${params.join(', ')}) as
      case ${lengths.map((l) => `when ${l} > ${maxChars} then ${fail}`).join(' ')}
      else ${g.fn}(${call.join(', ')}) end`);
  }
}

/** Thrown by `beforeDeadline` when the time is up; callers add what was running. */
export class MappingTimeout extends Error {}

/** Run one statement, interrupting the connection at the deadline (ms since the epoch). */
export async function beforeDeadline<T>(conn: DuckDBConnection, deadline: number, run: () => Promise<T>): Promise<T> {
  const left = deadline - Date.now();
  if (left <= 0) throw new MappingTimeout();
  let interrupted = false;
  const timer = setTimeout(() => { interrupted = true; conn.interrupt(); }, left);
  try {
    return await run();
  } catch (e) {
    if (interrupted) throw new MappingTimeout();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
