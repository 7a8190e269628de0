// Talent needs: active headcount (bar) against planned headcount (tick) for the roles with the largest
// shortfall (the table lists every role; a chart of all of them would be thousands of pixels tall).
import * as Plot from '@observablehq/plot';
import type { NeedRow } from '../types.ts';
import { withText } from './a11y.ts';
import { fitLabel, labelMargin } from './size.ts';

export interface HeadcountRow { role: string; headcount: number; planned: number | null }

/** Roles drawn at most. */
const PLAN_CHART_ROLES = 15;

/**
 * The roles the chart draws: those with people or a plan, largest shortfall first (then headcount, then
 * role id; a manager's rows have no shortfall, so theirs go by headcount), at most `limit`.
 */
export function planChartRows(rows: NeedRow[], limit = PLAN_CHART_ROLES): HeadcountRow[] {
  return rows
    .filter((r) => (r.headcount ?? 0) > 0 || r.planned_headcount != null)
    .sort((a, b) => (b.shortfall ?? -1) - (a.shortfall ?? -1) || (b.headcount ?? 0) - (a.headcount ?? 0) ||
      (a.role_id < b.role_id ? -1 : a.role_id > b.role_id ? 1 : 0))
    .slice(0, limit)
    .map((r) => ({ role: r.title ?? r.role_id, headcount: r.headcount ?? 0, planned: r.planned_headcount }));
}

const TITLE = 'Headcount vs plan per role';

export function headcountPlan(data: HeadcountRow[], { width }: { width: number }) {
  const marginLeft = labelMargin(width, 220);
  const plot = Plot.plot({
    title: TITLE,
    width,
    height: Math.max(160, data.length * 22 + 70),
    marginLeft,
    x: { label: 'Employees →', grid: true, ticks: Math.max(2, Math.floor((width - marginLeft) / 60)) },
    y: { label: null, domain: data.map((d) => d.role), tickFormat: fitLabel(marginLeft - 10) },
    color: { legend: true, domain: ['Active headcount', 'Planned headcount'], range: ['#4e79a7', '#e15759'] },
    marks: [
      Plot.barX(data, { x: 'headcount', y: 'role', fill: () => 'Active headcount', tip: true }),
      Plot.tickX(data.filter((d) => d.planned != null), { x: 'planned', y: 'role', stroke: () => 'Planned headcount', strokeWidth: 3 }),
      Plot.ruleX([0]),
    ],
  });
  return withText(plot, { caption: TITLE, columns: ['Role', 'Active headcount', 'Planned headcount'], rows: data.map((d) => [d.role, d.headcount, d.planned]) });
}
