// The settings that change what the models compute, beyond `$as_of`: the points of each retention-risk
// factor (`riskWeights`) and the backtest's horizon (`backtestHorizonMonths`). The models read them as
// bound parameters (`$risk_w_no_path`, …); a run's fingerprint includes them, so changing one rebuilds.

/** The eight retention-risk factors, in the spec's order (metrics.md "Retention risk"). */
export const RISK_FACTORS = [
  'no_path', 'plan_only', 'stalled', 'low_pulse', 'pulse_drop', 'checkins_lapsed', 'no_career_talk', 'high_performer_off_path',
] as const;
export type RiskFactor = (typeof RISK_FACTORS)[number];
export type RiskWeights = Record<RiskFactor, number>;

/** The spec's points. */
export const DEFAULT_RISK_WEIGHTS: Readonly<RiskWeights> = Object.freeze({
  no_path: 25, plan_only: 10, stalled: 20, low_pulse: 15, pulse_drop: 15, checkins_lapsed: 10, no_career_talk: 10, high_performer_off_path: 10,
});

export const DEFAULT_BACKTEST_HORIZON_MONTHS = 6;

export interface ModelSettings {
  riskWeights: RiskWeights;
  backtestHorizonMonths: number;
}

export const DEFAULT_MODEL_SETTINGS: Readonly<ModelSettings> = Object.freeze({
  riskWeights: DEFAULT_RISK_WEIGHTS, backtestHorizonMonths: DEFAULT_BACKTEST_HORIZON_MONTHS,
});

/** Settings with defaults filled in. */
export function modelSettings(partial: Partial<ModelSettings> = {}): ModelSettings {
  return {
    riskWeights: { ...DEFAULT_RISK_WEIGHTS, ...partial.riskWeights },
    backtestHorizonMonths: partial.backtestHorizonMonths ?? DEFAULT_BACKTEST_HORIZON_MONTHS,
  };
}

/**
 * Parse a weights setting: a JSON object `{"no_path": 30, …}` (config file, or the environment) or
 * `no_path=30,stalled=25` (environment). Factors left out keep the spec's points. Each is a whole number
 * of points 0–100. Throws a message naming what is wrong.
 */
export function parseRiskWeights(raw: unknown): RiskWeights {
  let entries: [string, unknown][];
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('{')) {
      try {
        return parseRiskWeights(JSON.parse(text));
      } catch (err) {
        if (err instanceof SyntaxError) throw new Error(`not valid JSON (${err.message})`);
        throw err;
      }
    }
    entries = text.split(',').map((s) => s.trim()).filter(Boolean).map((pair) => {
      const m = /^([a-z_]+)\s*=\s*(.*)$/.exec(pair);
      if (!m) throw new Error(`"${pair}" is not factor=points`);
      return [m[1], m[2].trim()];
    });
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    entries = Object.entries(raw as Record<string, unknown>);
  } else {
    throw new Error('expected an object of factor → points');
  }
  const out: RiskWeights = { ...DEFAULT_RISK_WEIGHTS };
  for (const [factor, value] of entries) {
    if (!(RISK_FACTORS as readonly string[]).includes(factor)) {
      throw new Error(`unknown factor "${factor}"; factors: ${RISK_FACTORS.join(', ')}`);
    }
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 100) throw new Error(`${factor}: ${JSON.stringify(value)} is not a whole number of points from 0 to 100`);
    out[factor as RiskFactor] = n;
  }
  return out;
}

/** The bound parameters the models read: `risk_w_<factor>` and `backtest_horizon_months`. */
export function modelParams(settings: Partial<ModelSettings> = {}): Record<string, number> {
  const s = modelSettings(settings);
  return {
    ...Object.fromEntries(RISK_FACTORS.map((f) => [`risk_w_${f}`, s.riskWeights[f]])),
    backtest_horizon_months: s.backtestHorizonMonths,
  };
}
