// Display formatting shared by tables and pages.

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const numFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function fmtInt(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? intFmt.format(v) : v == null ? '—' : String(v);
}

export function fmtNum(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? numFmt.format(v) : v == null ? '—' : String(v);
}

/** A 0–1 share as a percentage with one decimal. */
export function fmtPct(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—';
}

export function fmtDate(v: unknown): string {
  if (v == null || v === '') return '—';
  const s = String(v);
  return /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : s;
}

export function fmtDateTime(v: unknown): string {
  if (v == null || v === '') return '—';
  const s = String(v).replace('T', ' ');
  return s.slice(0, 19);
}

/** Reasons / factor lists arrive as arrays or comma-separated text. */
export function fmtList(v: unknown): string {
  if (v == null) return '';
  if (Array.isArray(v)) return v.map((x) => humanize(String(x))).join(', ');
  return String(v).split(/[,;]\s*/).filter(Boolean).map(humanize).join(', ');
}

const LABELS: Record<string, string> = {
  no_path: 'No path', top_of_ladder: 'Top of ladder', plan_only: 'Plan only', on_path: 'On path', ic: 'IC',
  ready_now: 'Ready now', ready_1_2_years: 'Ready in 1–2 years', '1_2_years': 'Ready in 1–2 years',
  ready_3_plus_years: 'Ready in 3+ years', '3_plus_years': 'Ready in 3+ years', not_ready: 'Not ready',
  over_rated: 'Over-rated', under_rated: 'Under-rated', default_next: 'Default next step',
  high_performer_off_path: 'High performer off path', checkins_lapsed: 'Check-ins lapsed',
  no_career_talk: 'No career talk', low_pulse: 'Low pulse', pulse_drop: 'Pulse drop',
};

/** `no_path` → "No path" (known codes get their label, others are de-snaked). */
export function humanize(code: string): string {
  return LABELS[code] ?? code.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
}
