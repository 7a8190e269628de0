// Warm the Arrow encoder once per process, in the background after the server starts listening: the
// first Arrow answer of a fresh process otherwise runs the per-column loops (arrow-columns.ts, arrow-text.ts,
// arrow-dictionary.ts) in V8's interpreter until they are optimized (the 100k retention list: build
// ~250 ms cold vs ~60 ms warm, bench/README.md).
// A synthetic result (DuckDB `range`, no table of the org) with the column shapes of the list answers is
// encoded a few times, at the size of the largest list answer (100k rows, MAX_LIMIT): the first real answer
// then also finds memory the process already holds instead of fresh pages, which cost ~13 µs each on the VMs
// measured (cold full retention list 166–172 → 134 ms with 12k → 100k rows; the warm-up takes ~0.6 s once,
// in the background). Servers that never listen (tests using inject) never warm.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyInstance } from 'fastify';
import { toArrowBytes } from './arrow.ts';
import { readColumns } from './rows.ts';

export const WARM_SQL = `
  select 'E' || lpad(i::varchar, 6, '0') as unique_short,
         'employee number ' || i || ' of the org' as unique_long,
         ['Engineering', 'Sales', 'Customer Success', 'People'][i % 4 + 1] as few_values,
         case when i % 9 = 0 then null else 'No career path; No career conversation in ' || (i % 50) || ' days' end as long_values,
         case when i % 7 = 0 then null else 'Manager ' || (i % 900) end as names,
         i % 3 = 0 as flag, (i % 100)::int as score, i / 7.0 as ratio, i::bigint * 3 as big,
         date '2020-01-01' + (i % 700)::int as day,
         (['high', 'medium', 'low'][i % 3 + 1])::ENUM('high', 'medium', 'low') as coded
  from range(100000) t(i)`;

const ROUNDS = 3;

/** Encode the synthetic result a few times (its answers are dropped). */
export async function warmArrowEncoder(conn: DuckDBConnection): Promise<void> {
  const read = await readColumns(conn, WARM_SQL);
  for (let i = 0; i < ROUNDS; i++) await toArrowBytes(read);
  completed++;
}

let completed = 0;

/** How many warm-ups have completed in this process (once per process when servers listen). */
export function arrowWarmUps(): number {
  return completed;
}

let warmed = false;
let running: Promise<void> | null = null;
const hooked = new WeakSet<FastifyInstance>();

/**
 * Warm the encoder once per process when `app` starts listening (in the background: never blocks a
 * request; errors are ignored). Closing the server waits for a warm-up under way, so its read connection
 * is not closed under it.
 */
export function warmArrowOnListen(app: FastifyInstance): void {
  if (hooked.has(app)) return;
  hooked.add(app);
  app.addHook('onListen', async function onListen() {
    if (warmed) return;
    warmed = true;
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => app.reads.use((conn) => warmArrowEncoder(conn)))
      .catch(() => { /* closing already, or the database is not readable: no warm-up */ });
  });
  app.addHook('onClose', async () => { await running; });
}
