// Per-phase wall time of one pipeline run, from its progress events: each event starts a segment
// (phase + dataset or model) that lasts until the next event. The bench child feeds it the events of
// `runPipeline({ onProgress })`; `summarize` folds the segments into read/validate per dataset, models,
// model tests and commit. Models build two at a time, with each model's tests and the backtest starting as
// soon as what they read is built, so the models and tests segments interleave and a model's
// own time comes from the run's summary (`modelTimings`), never from the segments. The datasets nothing
// references load two at a time too: a dataset's segment ends at the next event of either connection, so its
// read and validate times are shares of the load's wall time (their sum is that wall time).

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
  /** The slowest models by their own build time (the run's `modelTimings`), ms, slowest first. */
  slowestModels: { model: string; ms: number }[];
  /** CPU time per phase, ms (less sensitive than wall time to other work on the machine). */
  cpuMs: { read: number; validate: number; models: number; tests: number; commit: number };
}

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

export function summarize(segments: Segment[], modelTimings: { model: string; ms: number }[] = [], topModels = 5): PhaseSummary {
  const sum = (phase: string, f: 'ms' | 'cpuMs' = 'ms') => segments.filter((s) => s.phase === phase).reduce((t, s) => t + s[f], 0);
  const byDataset = new Map<string, { dataset: string; readMs: number; validateMs: number }>();
  for (const s of segments) {
    if (s.phase !== 'read' && s.phase !== 'validate') continue;
    const d = byDataset.get(s.key) ?? { dataset: s.key, readMs: 0, validateMs: 0 };
    if (s.phase === 'read') d.readMs += s.ms; else d.validateMs += s.ms;
    byDataset.set(s.key, d);
  }
  const round = (n: number) => Math.round(n);
  return {
    datasets: [...byDataset.values()].map((d) => ({ dataset: d.dataset, readMs: round(d.readMs), validateMs: round(d.validateMs) })),
    readMs: round(sum('read')),
    validateMs: round(sum('validate')),
    modelsMs: round(sum('models')),
    testsMs: round(sum('tests')),
    commitMs: round(sum('commit')),
    slowestModels: [...modelTimings].sort((a, b) => b.ms - a.ms).slice(0, topModels),
    cpuMs: {
      read: round(sum('read', 'cpuMs')), validate: round(sum('validate', 'cpuMs')), models: round(sum('models', 'cpuMs')),
      tests: round(sum('tests', 'cpuMs')), commit: round(sum('commit', 'cpuMs')),
    },
  };
}
