// The backtest recovers a planted truth (fixtures/README.md "Planted retention hazard"): a 20k-employee org
// generated with the planted hazard goes through the real runPipeline once (ingest, SQL models with the
// history, the backtest step); then (1) the flags the generator drew exits from are the flags the pipeline
// computed, row for row; (2) every planted effect of ≥ ×1.4 has a pooled coefficient whose 95 % interval
// contains log(effect) and excludes 0; (3) the pooled AUC of the default score is > 0.6.
// Slow (minutes on a busy machine): one org, built once, by the real runner with the real model files but
// only those history_retention_risk needs (no succession, coverage or mobility marts: they cost most and
// the backtest reads none of them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateOrg } from '../../../fixtures/generate.ts';
import { builtInFramework } from '../../../fixtures/generator/framework.ts';
import { RoleIndex } from '../../../fixtures/generator/roleIndex.ts';
import { buildOrg as buildPeople } from '../../../fixtures/generator/org.ts';
import { flagsAt, PLANTED_EFFECTS, plantHazard, plantedCheckIns, type CheckIn } from '../../../fixtures/generator/hazard.ts';
import { parseDay } from '../../../fixtures/generator/dates.ts';
import { seedOf } from '../../../fixtures/generator/prng.ts';
import { all, type Db } from '../db.ts';
import { RISK_FACTORS } from '../model-settings.ts';
import { discoverModels, SQL_DIR } from '../models.ts';
import { runPipeline } from '../run.ts';
import { tempDb } from '../../../sql/tests/harness.ts';
import type { DuckDBConnection } from '@duckdb/node-api';

const EMPLOYEES = 20_000;
const SEED = 13;
const AS_OF = '2026-06-30';

/** A sql/ folder with the repo's models that `root` reads, directly or not (and their .yml), and `root`. */
function modelsFor(root: string): string {
  const models = discoverModels();
  const byName = new Map(models.map((m) => [m.name, m]));
  const need = new Set<string>();
  const visit = (name: string) => {
    if (need.has(name)) return;
    need.add(name);
    for (const d of byName.get(name)!.deps) visit(d);
  };
  visit(root);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-planted-sql-'));
  for (const name of need) {
    const m = byName.get(name)!;
    for (const file of [m.file, m.file.replace(/\.sql$/, '.yml')]) {
      if (!fs.existsSync(path.join(SQL_DIR, file))) continue;
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.copyFileSync(path.join(SQL_DIR, file), path.join(dir, file));
    }
  }
  return dir;
}

const built = {} as { db: Db; conn: DuckDBConnection };
beforeAll(async () => {
  const { db, conn, dir } = await tempDb('trellis-planted-');
  Object.assign(built, { db, conn });
  const inbox = path.join(dir, 'inbox');
  await generateOrg({ employees: EMPLOYEES, seed: SEED, asOf: AS_OF, out: inbox, plantedHazard: true });
  const summary = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli', sqlDir: modelsFor('history_retention_risk'),
    clock: () => new Date('2026-07-01T00:00:00Z') });
  if (summary.status !== 'succeeded') throw new Error(`the planted org's run ${summary.status}: ${summary.error}`);
}, 1_800_000);
afterAll(() => built.db?.close());

describe(`a ${EMPLOYEES}-employee org with the planted hazard (seed ${SEED})`, () => {
  it('draws its exits from the flags the pipeline computes (history_retention_risk, row for row)', async () => {
    const idx = new RoleIndex(builtInFramework());
    const org = buildPeople(idx, EMPLOYEES, seedOf(SEED), parseDay(AS_OF));
    const planted = plantHazard(org, idx);
    const rows = await all<Record<string, unknown>>(built.conn, `select strftime(as_of_date, '%Y-%m-%d') as d, employee_id,
      ${RISK_FACTORS.slice(0, 7).map((f) => `${f}::integer as ${f}`).join(', ')} from history_retention_risk`);
    const cache = new Map<number, CheckIn[]>();
    let compared = 0;
    const mismatches: string[] = [];
    for (const r of rows) {
      const i = Number(String(r.employee_id).slice(1)) - 1;
      const p = planted.people[i];
      if (!p) continue; // the CEO
      let checkIns = cache.get(i);
      if (!checkIns) cache.set(i, (checkIns = plantedCheckIns(org, i, p, planted.checkInStart, org.asOf)));
      const mine = flagsAt(org, i, p, checkIns, parseDay(String(r.d)));
      RISK_FACTORS.slice(0, 7).forEach((f, k) => { if (mine[k] !== Number(r[f])) mismatches.push(`${r.employee_id} ${r.d} ${f}`); });
      compared++;
    }
    expect(compared).toBeGreaterThan(EMPLOYEES * 10);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('recovers every planted effect of at least ×1.4 within its 95 % interval, and the pooled AUC is > 0.6', async () => {
    const effects = await all<{ factor: string; coefficient: number; ci_lower: number; ci_upper: number; warning: string | null }>(built.conn,
      `select factor, coefficient, ci_lower, ci_upper, warning from risk_factor_effects where scope = 'pooled' order by factor_order`);
    console.log('planted vs fitted (pooled, clustered 95 % intervals):');
    console.table(effects.map((e) => ({ ...e, planted: Math.log(PLANTED_EFFECTS[e.factor as keyof typeof PLANTED_EFFECTS]) })));
    const strong = Object.entries(PLANTED_EFFECTS).filter(([, v]) => v >= 1.4).map(([f]) => f);
    expect(strong.sort()).toEqual(['low_pulse', 'no_path', 'stalled']);
    for (const factor of strong) {
      const e = effects.find((x) => x.factor === factor)!;
      const truth = Math.log(PLANTED_EFFECTS[factor as keyof typeof PLANTED_EFFECTS]);
      expect(e.warning).toBeNull();
      expect({ factor, contains: e.ci_lower <= truth && truth <= e.ci_upper }).toEqual({ factor, contains: true });
      expect({ factor, excludesZero: e.ci_lower > 0 }).toEqual({ factor, excludesZero: true });
    }
    const [pooled] = await all<{ auc: number; n_scored: number; n_left: number; top_decile_lift: number }>(built.conn,
      "select auc, n_scored, n_left, top_decile_lift from risk_backtest where scope = 'pooled'");
    console.log('pooled backtest:', pooled);
    expect(pooled.auc).toBeGreaterThan(0.6);
    const fitted = await all(built.conn, 'select factor, configured_points, fitted_coefficient, fitted_points, auc_configured, auc_fitted, auc_fitted_points from risk_weights_fitted order by factor_order');
    console.table(fitted);
  });
});
