// Per-phase wall time of one pipeline run, from its progress events: each event starts a segment
// (phase + dataset or model) that lasts until the next event. The bench child feeds it the events of
// `runPipeline({ onProgress })`; `summarize` folds the segments into read/validate per dataset, models
// (with the slowest models), model tests and commit.

export interface ProgressLike {
  phase: 'read' | 'validate' | 'models' | 'tests' | 'commit';
  dataset?: string;
  model?: string;
  message: string;
}

/** Wall time and CPU time (user + system, all threads of the process) of one stretch of a run. */
export interface Segment { phase: string; key: string; ms: number; cpuMs: number }

export interface PhaseSummary {
  /** read + validate per dataset, ms. */
  datasets: { dataset: string; readMs: number; validateMs: number }[];
  readMs: number;
  validateMs: number;
  modelsMs: number;
  testsMs: number;
  commitMs: number;
  /** The slowest models, ms, slowest first. */
  slowestModels: { model: string; ms: number }[];
  /** CPU time per phase, ms (less sensitive than wall time to other work on the machine). */
  cpuMs: { read: number; validate: number; models: number; tests: number; commit: number };
  /** Issue 13's phase: building and testing the history models and the risk backtest, wall and CPU ms. */
  history: { ms: number; cpuMs: number };
}

/** The models of issue 13's history and backtest phase (`sql/history/`, and the backtest step's marts). */
export const HISTORY_MODEL = /^(hist_|history_|risk_backtest$|risk_factor_effects$|risk_weights_fitted$)/;

const processCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** A recorder of progress events; the clocks are injectable so tests can drive them. */
export function phaseRecorder(now: () => number = () => performance.now(), cpu: () => number = processCpuMs) {
  const segments: Segment[] = [];
  let open: { phase: string; key: string; at: number; cpuAt: number } | null = null;
  const close = (at: number) => {
    if (open) segments.push({ phase: open.phase, key: open.key, ms: at - open.at, cpuMs: cpu() - open.cpuAt });
    open = null;
  };
  return {
    onProgress(e: ProgressLike): void {
      const at = now();
      close(at);
      // "built N models" and "committed" end their phase: nothing after them belongs to it
      if (e.phase === 'models' && !e.model) return;
      if (e.phase === 'commit' && /^committed/.test(e.message)) return;
      // the run's own 'read' events without a dataset are the hashing of the inbox
      const phase = e.phase === 'read' && !e.dataset ? 'hash' : e.phase;
      const key = e.phase === 'models' || e.phase === 'tests' ? e.model ?? '' : e.dataset ?? '';
      open = { phase, key, at, cpuAt: cpu() };
    },
    /** Close the open segment (call when the run returns) and hand back every segment. */
    finish(): Segment[] {
      close(now());
      return segments;
    },
  };
}

export function summarize(segments: Segment[], topModels = 5): PhaseSummary {
  const sum = (phase: string, f: 'ms' | 'cpuMs' = 'ms') => segments.filter((s) => s.phase === phase).reduce((t, s) => t + s[f], 0);
  const byDataset = new Map<string, { dataset: string; readMs: number; validateMs: number }>();
  for (const s of segments) {
    if (s.phase !== 'read' && s.phase !== 'validate') continue;
    const d = byDataset.get(s.key) ?? { dataset: s.key, readMs: 0, validateMs: 0 };
    if (s.phase === 'read') d.readMs += s.ms; else d.validateMs += s.ms;
    byDataset.set(s.key, d);
  }
  const models = new Map<string, number>();
  for (const s of segments) if (s.phase === 'models') models.set(s.key, (models.get(s.key) ?? 0) + s.ms);
  const round = (n: number) => Math.round(n);
  const history = segments.filter((s) => (s.phase === 'models' || s.phase === 'tests') && HISTORY_MODEL.test(s.key));
  return {
    datasets: [...byDataset.values()].map((d) => ({ dataset: d.dataset, readMs: round(d.readMs), validateMs: round(d.validateMs) })),
    readMs: round(sum('read')),
    validateMs: round(sum('validate')),
    modelsMs: round(sum('models')),
    testsMs: round(sum('tests')),
    commitMs: round(sum('commit')),
    slowestModels: [...models.entries()].map(([model, ms]) => ({ model, ms: round(ms) }))
      .sort((a, b) => b.ms - a.ms).slice(0, topModels),
    cpuMs: {
      read: round(sum('read', 'cpuMs')), validate: round(sum('validate', 'cpuMs')), models: round(sum('models', 'cpuMs')),
      tests: round(sum('tests', 'cpuMs')), commit: round(sum('commit', 'cpuMs')),
    },
    history: { ms: round(history.reduce((t, s) => t + s.ms, 0)), cpuMs: round(history.reduce((t, s) => t + s.cpuMs, 0)) },
  };
}
