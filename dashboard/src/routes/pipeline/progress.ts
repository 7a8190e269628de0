// Poll /api/pipeline/progress until the current run ends. Pure of the DOM: the page passes callbacks.
import { getJson } from '$lib/api.ts';

export interface ProgressEvent { runId?: number | null; phase: string; dataset?: string; model?: string; done?: number; total?: number; message?: string }
export interface ProgressState {
  running: boolean; runId: number | null; status: string | null; startedAt?: string | null; finishedAt?: string | null;
  error?: string | null;
  /** How the run ended in words, e.g. "run 7 succeeded with issues: 1 file refused, 12 rows rejected". */
  outcome?: string | null;
  /** What the run said besides, once it ended (as `trellis run` prints them). */
  notes?: string[];
  progress: ProgressEvent | null;
}

/** A run status as shown: "succeeded with issues" for succeeded_with_issues. */
export const statusLabel = (status: string | null): string => (status ?? '').replaceAll('_', ' ');

/** Polls every `intervalMs` while a run is going; resolves with the final state. `stop()` ends early. */
export function pollProgress(onUpdate: (s: ProgressState) => void, intervalMs = 400) {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<ProgressState | null>((resolve, reject) => {
    const tick = async () => {
      if (stopped) return resolve(null);
      try {
        const s = await getJson<ProgressState>('/api/pipeline/progress');
        onUpdate(s);
        if (!s.running) return resolve(s);
      } catch (e) {
        return reject(e);
      }
      timer = setTimeout(tick, intervalMs);
    };
    void tick();
  });
  return { done, stop: () => { stopped = true; if (timer) clearTimeout(timer); } };
}

/** "models 3/12 · stg_employees" */
export function describe(p: ProgressEvent | null): string {
  if (!p) return 'starting…';
  const parts = [p.phase];
  if (p.total) parts.push(`${p.done ?? 0}/${p.total}`);
  if (p.dataset) parts.push(p.dataset);
  if (p.model) parts.push(p.model);
  if (p.message) parts.push(p.message);
  return parts.join(' · ');
}
