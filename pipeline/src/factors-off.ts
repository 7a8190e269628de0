// Retention-risk factors that are off because a dataset they read was never loaded (spec: "Missing sources
// are not evidence"), as the retention_factors mart lists them, and the words that say which and why:
// the run's notes and the dashboard's notice both use `factorsOffText`.
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, tableExists } from './db.ts';

/** A factor that is off, and why (e.g. "no check-ins loaded"). */
export type FactorOff = { factor: string; reason: string };

/** The factors that are off (rows of FactorOff), in the spec table's order. */
export const FACTORS_OFF_SQL = 'select factor, off_reason as reason from retention_factors where not is_on order by factor_order';

/** The factors that are off; none when the mart is not built. */
export async function readFactorsOff(conn: DuckDBConnection): Promise<FactorOff[]> {
  return (await tableExists(conn, 'retention_factors')) ? all<FactorOff>(conn, FACTORS_OFF_SQL) : [];
}

/** "4 factors: no check-ins loaded (low_pulse, pulse_drop, checkins_lapsed, no_career_talk)"; null when none is off. */
export function factorsOffText(off: FactorOff[]): string | null {
  if (!off.length) return null;
  const byReason = new Map<string, string[]>();
  for (const f of off) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.factor]);
  const why = [...byReason].map(([reason, factors]) => `${reason} (${factors.join(', ')})`).join('; ');
  return `${off.length} factor${off.length === 1 ? '' : 's'}: ${why}`;
}
