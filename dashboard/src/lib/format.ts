// Display formatting shared by tables, cards and charts. Every figure on a page goes through
// `formatNumber` (or its short names fmtInt / fmtPct / fmtNum), so one kind of number always reads the
// same way: counts whole, percentages with one decimal, ratios with two (so a column of them lines up:
// 1.30 under 1.79, never 1.3).

/** What a number is, which decides how it reads. */
export type NumberKind = 'count' | 'share' | 'percent' | 'decimal' | 'score';

const digits = (min: number, max: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max, signDisplay: 'negative' });

const KINDS: Record<NumberKind, { format: Intl.NumberFormat; scale: number; unit: string }> = {
  // people, roles, points: 1,234
  count: { format: digits(0, 0), scale: 1, unit: '' },
  // a 0–1 share (rates, coverage): 0.5435 → 54.4%
  share: { format: digits(1, 1), scale: 100, unit: '%' },
  // a value already on 0–100 (goal and objective progress): 29 → 29.0%
  percent: { format: digits(1, 1), scale: 1, unit: '%' },
  // ratios and indices (bench strength, successor coverage, mean gap, AUC, lift): 1.50, 2.00, 0.33
  decimal: { format: digits(2, 2), scale: 1, unit: '' },
  // a mean or median of 0–100 scores: 41.3
  score: { format: digits(1, 1), scale: 1, unit: '' },
};

/** A number for display: "—" for null or non-finite, text as it is, numbers as their kind reads. */
export function formatNumber(v: unknown, kind: NumberKind): string {
  if (v == null || (typeof v === 'number' && !Number.isFinite(v))) return '—';
  if (typeof v !== 'number') return String(v);
  const k = KINDS[kind];
  return `${k.format.format(v * k.scale)}${k.unit}`;
}

/** A count: whole, with thousands separators. */
export const fmtInt = (v: unknown): string => formatNumber(v, 'count');
/** A 0–1 share as a percentage with one decimal. */
export const fmtPct = (v: unknown): string => formatNumber(v, 'share');
/** A ratio or index with two decimals. */
export const fmtNum = (v: unknown): string => formatNumber(v, 'decimal');

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
  over_rated: 'Over-rated', agrees: 'Agrees', decided_earlier: 'Decided earlier than the evidence',
  decided_later: 'Decided later than the evidence', under_rated: 'Under-rated', default_next: 'Suggested next step',
  high_performer_off_path: 'High performer off path', checkins_lapsed: 'Check-ins lapsed',
  no_career_talk: 'No career talk', low_pulse: 'Low pulse', pulse_drop: 'Pulse drop',
};

/** `no_path` → "No path" (known codes get their label, others are de-snaked). */
export function humanize(code: string): string {
  return LABELS[code] ?? code.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
}
