// The risk backtest's charts ("Does the score work?"): exit rate by risk band (calibration: high should
// be above medium above low, with the overall rate as a rule) and the top decile's lift at each
// evaluable date (1 = no better than picking at random).
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { isNarrow, labelMargin } from './size.ts';
import { fmtInt, fmtNum, fmtPct } from '../format.ts';

export interface GroupRate { group: string; n: number; rate: number | null }
export interface RateBars { title: string; groupLabel: string; rows: GroupRate[]; overall: number | null }

/** Horizontal bars: the exit rate of each group, the overall rate as a dashed rule. */
export function exitRateBars(data: RateBars, { width }: { width: number }) {
  const rows = data.rows.filter((r) => r.rate !== null);
  const marginLeft = labelMargin(width, 110);
  // percent: the domain is in percent (0.012 → 1.2)
  const max = Math.max(0.01, ...rows.map((r) => r.rate ?? 0), data.overall ?? 0);
  const plot = Plot.plot({
    title: data.title,
    width,
    height: 50 + data.rows.length * 38,
    marginLeft,
    marginRight: 50,
    x: { label: 'Left within the horizon (%) →', percent: true, domain: [0, max * 115], grid: true, ticks: isNarrow(width) ? 3 : 6 }, // percent: the domain is in percent units
    y: { label: null, domain: data.rows.map((r) => r.group) },
    marks: [
      Plot.barX(rows, { x: 'rate', y: 'group', fill: '#4e79a7', tip: true }),
      Plot.text(rows, { x: 'rate', y: 'group', text: (d: GroupRate) => fmtPct(d.rate), dx: 4, textAnchor: 'start' }),
      ...(data.overall !== null ? [Plot.ruleX([data.overall], { stroke: '#e15759', strokeDasharray: '4,3' })] : []),
      Plot.ruleX([0]),
    ],
  });
  return withText(plot, {
    caption: `${data.title}${data.overall !== null ? ` (all: ${fmtPct(data.overall)})` : ''}`,
    columns: [data.groupLabel, 'People scored', 'Exit rate'],
    rows: data.rows.map((r) => [r.group, fmtInt(r.n), fmtPct(r.rate)]),
  });
}

export interface LiftPoint { as_of: string; lift: number | null; auc: number | null }

const LIFT_TITLE = 'Lift of the top 10 % at each date';

/** The top decile's lift per evaluable date, with 1 (random) as a rule. */
export function liftByDate(data: LiftPoint[], { width }: { width: number }) {
  const pts = data.filter((d) => d.lift !== null).map((d) => ({ ...d, date: new Date(`${d.as_of.slice(0, 10)}T00:00:00Z`) }));
  const plot = Plot.plot({
    title: LIFT_TITLE,
    width,
    height: 220,
    x: { label: 'History date', type: 'utc', ticks: isNarrow(width) ? 3 : 6 },
    y: { label: '↑ Lift (× the average exit rate)', grid: true, domain: [0, Math.max(2, ...pts.map((p) => p.lift ?? 0)) * 1.1] },
    marks: [
      Plot.ruleY([1], { stroke: '#e15759', strokeDasharray: '4,3' }),
      Plot.line(pts, { x: 'date', y: 'lift', stroke: '#4e79a7', marker: 'circle' }),
      Plot.tip(pts, Plot.pointerX({ x: 'date', y: 'lift' })),
    ],
  });
  return withText(plot, {
    caption: LIFT_TITLE,
    columns: ['History date', 'Top-10 % lift', 'AUC'],
    rows: data.map((d) => [d.as_of.slice(0, 10), fmtNum(d.lift), fmtNum(d.auc)]),
  });
}
