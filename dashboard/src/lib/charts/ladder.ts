// A job family's ladder: roles placed by level (columns) and track (rows), arrows for progressions.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { labelMargin } from './size.ts';

export interface LadderRole { role_id: string; title: string; level: number; track: string }
export interface LadderMove { from_role_id: string; to_role_id: string; move: string | null }

export function ladder({ roles, moves }: { roles: LadderRole[]; moves: LadderMove[] }, { width }: { width: number }) {
  // Stack roles of the same level and track vertically so none overlap.
  const slot = new Map<string, number>();
  const placed = roles.map((r) => {
    const key = `${r.track}|${r.level}`;
    const i = slot.get(key) ?? 0;
    slot.set(key, i + 1);
    return { ...r, row: `${r.track}${i ? ` ${i + 1}` : ''}` };
  });
  const at = new Map(placed.map((r) => [r.role_id, r]));
  const arrows = moves.filter((m) => at.has(m.from_role_id) && at.has(m.to_role_id)).map((m) => ({
    x1: at.get(m.from_role_id)!.level, y1: at.get(m.from_role_id)!.row,
    x2: at.get(m.to_role_id)!.level, y2: at.get(m.to_role_id)!.row,
    move: m.move ?? 'promotion',
  }));
  const levels = [...new Set(roles.map((r) => r.level))].sort((a, b) => a - b);
  const rows = [...new Set(placed.map((r) => r.row))].sort();
  const margin = labelMargin(width, 90);
  // Wrap titles to the space between two levels so neighbouring titles do not run into each other.
  const columnPx = (width - 2 * margin) / Math.max(1, levels.length);
  const lineWidth = Math.max(5, Math.min(14, (columnPx - 8) / 11)); // ems of the 11 px font
  const plot = Plot.plot({
    width,
    height: Math.max(160, rows.length * 95 + 60),
    marginLeft: margin,
    marginRight: margin,
    x: { label: 'Level →', domain: levels, type: 'point', padding: 0.6 },
    y: { label: 'Track', domain: rows, type: 'point', padding: 0.6 },
    color: { legend: true, label: 'Move', domain: ['promotion', 'lateral'], range: ['#4e79a7', '#f28e2b'] },
    marks: [
      Plot.arrow(arrows, { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: 'move', bend: true, inset: 10, strokeWidth: 1.5 }),
      Plot.dot(placed, { x: 'level', y: 'row', r: 6, fill: '#1d2433' }),
      // Titles under the dots with a white halo: the arrows bend above, and stay readable where they cross.
      Plot.text(placed, { x: 'level', y: 'row', text: 'title', dy: 10, lineAnchor: 'top', fontSize: 11, lineWidth, fill: '#1d2433', stroke: 'white', strokeWidth: 4, paintOrder: 'stroke' }),
    ],
  });
  const title = new Map(roles.map((r) => [r.role_id, r.title]));
  const next = (id: string) => moves.filter((m) => m.from_role_id === id && title.has(m.to_role_id))
    .map((m) => `${title.get(m.to_role_id)} (${m.move ?? 'promotion'})`).join(', ');
  return withText(plot, {
    caption: 'Roles by level and track, and where each leads',
    columns: ['Role', 'Level', 'Track', 'Leads to'],
    rows: [...roles].sort((a, b) => a.level - b.level || a.title.localeCompare(b.title)).map((r) => [r.title, r.level, r.track, next(r.role_id) || '—']),
  });
}
