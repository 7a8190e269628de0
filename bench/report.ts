// The bench's figures for one org size, the targets they are held to, and the text table printed
// for them. Pure functions of the result object (bench/run.ts fills it in).
import type { PhaseSummary } from './phases.ts';
import type { Latency } from './api.ts';

export interface SizeResult {
  employees: number;
  format: 'csv' | 'parquet';
  rows: number;
  inputBytes: number;
  loadAverage: { before: number[]; after: number[] };
  full: {
    /** The child process from spawn to exit (start-up, opening the database, the run, closing): issue 13's "whole run". */
    processWallMs: number;
    wallMs: number; cpuMs: number; timings: Record<string, number>; phases: PhaseSummary; maxRssMb: number;
    models: number; tests: number; rowsPerSecond: number;
  };
  floor: { wallMs: number; cpuMs: number; maxRssMb: number; perFile: { file: string; rows: number; ms: number }[] };
  /** Trellis's load phase (read + validate) over the plain-DuckDB floor. */
  loadVsFloor: number;
  noChange: { wallMs: number; status: string; maxRssMb: number };
  /**
   * The same full run on a fresh database with history off (history months 0: the history tables hold the
   * run's date only, the backtest has no date to judge): what history and the backtest add is the full run's
   * wall time over this one's. Absent in results before session 9.
   */
  noHistory?: { wallMs: number; cpuMs: number; maxRssMb: number };
  /** The re-run a month later on the loaded database: every model rebuilt, nothing loaded. Absent in older results. */
  rebuild?: { wallMs: number; cpuMs: number; status: string; modelsMs: number };
  api?: {
    latency: Record<string, Latency>;
    retention: { rows: number; jsonBytes: number; arrowBytes: number; jsonMs: number; arrowMs: number; ratio: number };
  };
}

export interface Check { target: string; value: string; ok: boolean; note?: string }

/** Where the time of a full run went, largest first (for "which phase dominates"). */
export function phaseShares(r: SizeResult): { phase: string; ms: number; share: number }[] {
  const p = r.full.phases;
  const parts = [
    { phase: 'read', ms: p.readMs }, { phase: 'validate', ms: p.validateMs }, { phase: 'models', ms: p.modelsMs },
    { phase: 'tests', ms: p.testsMs }, { phase: 'commit', ms: p.commitMs },
    { phase: 'hash', ms: r.full.timings.hash ?? 0 }, { phase: 'archive+checkpoint', ms: r.full.timings.archive ?? 0 },
  ];
  const total = Math.max(1, r.full.wallMs);
  return parts.map((x) => ({ ...x, share: x.ms / total })).sort((a, b) => b.ms - a.ms);
}

/** The targets of issue 7 for this size (100k and 1M have targets; other sizes are measured only). */
export function checks(r: SizeResult): Check[] {
  const out: Check[] = [];
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const dominant = phaseShares(r)[0];
  const dom = `dominated by ${dominant.phase} (${Math.round(dominant.share * 100)}%)`;
  if (r.employees >= 1_000_000) {
    out.push({ target: 'full run < 3 min', value: s(r.full.wallMs), ok: r.full.wallMs < 180_000, note: dom });
    out.push({ target: 'peak RSS < 12 GB', value: `${r.full.maxRssMb} MB`, ok: r.full.maxRssMb < 12 * 1024 });
    const history = historyCheck(r, 1);
    if (history) out.push(history);
    return out;
  }
  if (r.employees < 100_000) return out;
  const floorTimes = r.full.processWallMs / Math.max(1, r.floor.wallMs);
  out.push({ target: 'whole run ≤ 4× plain DuckDB', value: `${floorTimes.toFixed(1)}×`, ok: floorTimes <= 4,
    note: `${s(r.full.processWallMs)} process start to exit, floor ${s(r.floor.wallMs)}; ${dom}` });
  const history = historyCheck(r, 0.5);
  if (history) out.push(history);
  out.push({ target: 'full run < 20 s', value: s(r.full.wallMs), ok: r.full.wallMs < 20_000, note: dom });
  const slowest = [...r.full.phases.datasets].sort((a, b) => (b.readMs + b.validateMs) - (a.readMs + a.validateMs))[0];
  out.push({
    target: 'load ≤ 2× plain DuckDB', value: `${r.loadVsFloor.toFixed(2)}×`, ok: r.loadVsFloor <= 2,
    note: slowest ? `slowest dataset ${slowest.dataset} (read ${s(slowest.readMs)}, validate ${s(slowest.validateMs)})` : undefined,
  });
  out.push({ target: 'no-change re-run < 2 s', value: s(r.noChange.wallMs), ok: r.noChange.wallMs < 2000 });
  out.push({ target: 'peak RSS < 4 GB', value: `${r.full.maxRssMb} MB`, ok: r.full.maxRssMb < 4096 });
  if (r.api) {
    for (const name of ['overview', 'succession', 'employee_page_alone', 'employee_page']) {
      const l = r.api.latency[name];
      if (l) out.push({ target: `${name} p95 < 50 ms at ${l.connections}`, value: `${l.p95Ms} ms`, ok: l.p95Ms < 50 && l.non2xx === 0 });
    }
    out.push({ target: 'retention list as Arrow < 300 ms', value: `${r.api.retention.arrowMs} ms`, ok: r.api.retention.arrowMs < 300 });
  }
  return out;
}

/**
 * Issue 13: history and the backtest add at most `limit` (0.5 at 100k, 1 at 1M) to the whole run: the full
 * run's wall time over the same run with history off, measured as two runs (models build two at a time, so
 * no stretch of one run is "the history phase"). Not checked without the second run.
 */
export function historyCheck(r: SizeResult, limit: number): Check | null {
  if (!r.noHistory) return null;
  const without = r.noHistory.wallMs;
  const added = (r.full.wallMs - without) / Math.max(1, without);
  return { target: `history + backtest add ≤ ${Math.round(limit * 100)} %`, value: `+${Math.round(added * 100)} %`, ok: added <= limit,
    note: `${((r.full.wallMs - without) / 1000).toFixed(1)} s: ${(r.full.wallMs / 1000).toFixed(1)} s with, ${(without / 1000).toFixed(1)} s without (CPU ${(r.full.cpuMs / 1000).toFixed(1)} s with, ${(r.noHistory.cpuMs / 1000).toFixed(1)} s without)` };
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const padr = (s: string | number, n: number) => String(s).padEnd(n);
const sec = (ms: number) => (ms / 1000).toFixed(2);

export function formatSize(r: SizeResult): string {
  const lines: string[] = [];
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  lines.push(`== ${r.employees.toLocaleString('en')} employees (${r.format}, ${r.rows.toLocaleString('en')} rows, ${(r.inputBytes / 1e6).toFixed(0)} MB) — load average ${la(r.loadAverage.before)} → ${la(r.loadAverage.after)}`);
  lines.push('');
  lines.push(`${padr('dataset', 24)}${pad('rows', 11)}${pad('read s', 9)}${pad('valid. s', 10)}${pad('floor s', 9)}${pad('rows/s', 11)}`);
  const rowsOf = new Map(r.floor.perFile.map((f) => [f.file.replace(/\.(csv|parquet)$/i, ''), f]));
  for (const d of r.full.phases.datasets) {
    const f = rowsOf.get(d.dataset);
    const ms = d.readMs + d.validateMs;
    lines.push(`${padr(d.dataset, 24)}${pad(f?.rows ?? '', 11)}${pad(sec(d.readMs), 9)}${pad(sec(d.validateMs), 10)}${pad(f ? sec(f.ms) : '', 9)}${pad(f && ms ? Math.round(f.rows / (ms / 1000)).toLocaleString('en') : '', 11)}`);
  }
  const p = r.full.phases;
  lines.push(`${padr('load (read + validate)', 24)}${pad(r.rows, 11)}${pad(sec(p.readMs), 9)}${pad(sec(p.validateMs), 10)}${pad(sec(r.floor.wallMs), 9)}${pad(Math.round(r.rows / Math.max(0.001, (p.readMs + p.validateMs) / 1000)).toLocaleString('en'), 11)}`);
  lines.push('');
  lines.push(`phases: hash ${sec(r.full.timings.hash ?? 0)} s · read ${sec(p.readMs)} s · validate ${sec(p.validateMs)} s · models ${sec(p.modelsMs)} s (${r.full.models}) · tests ${sec(p.testsMs)} s (${r.full.tests}) · commit ${sec(p.commitMs)} s · archive+checkpoint ${sec(r.full.timings.archive ?? 0)} s`);
  if (r.noHistory) {
    lines.push(`history + backtest add ${sec(r.full.wallMs - r.noHistory.wallMs)} s: the same run with history off took ${sec(r.noHistory.wallMs)} s (CPU ${sec(r.noHistory.cpuMs)} s, peak RSS ${r.noHistory.maxRssMb} MB)`);
  }
  lines.push(`whole run (process start to exit) ${sec(r.full.processWallMs)} s = ${(r.full.processWallMs / Math.max(1, r.floor.wallMs)).toFixed(1)}× the floor`);
  lines.push(`full run ${sec(r.full.wallMs)} s, ${r.full.rowsPerSecond.toLocaleString('en')} rows/s, peak RSS ${r.full.maxRssMb} MB; floor (plain DuckDB typed load) ${sec(r.floor.wallMs)} s, load/floor ${r.loadVsFloor.toFixed(2)}×; no-change re-run ${sec(r.noChange.wallMs)} s (${r.noChange.status})`);
  if (r.rebuild) {
    lines.push(`re-run a month later, every model rebuilt on the loaded database: ${sec(r.rebuild.wallMs)} s (${r.rebuild.status}; models ${sec(r.rebuild.modelsMs)} s; CPU ${sec(r.rebuild.cpuMs)} s)`);
  }
  const c = p.cpuMs;
  lines.push(`CPU time (all threads): run ${sec(r.full.cpuMs)} s — read ${sec(c.read)} · validate ${sec(c.validate)} · models ${sec(c.models)} · tests ${sec(c.tests)} · commit ${sec(c.commit)}; floor ${sec(r.floor.cpuMs)} s`);
  lines.push(`slowest models: ${p.slowestModels.map((m) => `${m.model} ${sec(m.ms)} s`).join(', ')}`);
  if (r.api) {
    lines.push('');
    lines.push(`${padr('endpoint', 40)}${pad('req/s', 8)}${pad('p50 ms', 8)}${pad('p95 ms', 8)}${pad('p99 ms', 8)}${pad('non-2xx', 9)}`);
    for (const [name, l] of Object.entries(r.api.latency)) {
      lines.push(`${padr(`${name} ${l.path}`, 40)}${pad(Math.round(l.rps), 8)}${pad(l.p50Ms, 8)}${pad(l.p95Ms, 8)}${pad(l.p99Ms, 8)}${pad(l.non2xx, 9)}`);
    }
    const t = r.api.retention;
    lines.push(`retention list (${t.rows.toLocaleString('en')} rows): Arrow ${(t.arrowBytes / 1e6).toFixed(1)} MB in ${t.arrowMs} ms · JSON ${(t.jsonBytes / 1e6).toFixed(1)} MB in ${t.jsonMs} ms (Arrow/JSON size ${t.ratio.toFixed(2)})`);
  }
  const cs = checks(r);
  if (cs.length) {
    lines.push('');
    for (const c of cs) lines.push(`${c.ok ? 'ok  ' : 'MISS'} ${padr(c.target, 36)} ${pad(c.value, 10)}${c.note ? `  ${c.note}` : ''}`);
  }
  return lines.join('\n');
}
