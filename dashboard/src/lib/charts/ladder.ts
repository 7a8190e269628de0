// A job family's ladder: roles placed by level (columns) and track (rows), arrows for progressions.
// On a phone the ladder stands upright: tracks across, levels climbing from the bottom.
import * as Plot from '@observablehq/plot';
import { withText } from './a11y.ts';
import { isNarrow } from './size.ts';

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
  type Placed = (typeof placed)[number];
  const at = new Map(placed.map((r) => [r.role_id, r]));
  const arrows = moves.filter((m) => at.has(m.from_role_id) && at.has(m.to_role_id))
    .map((m) => ({ from: at.get(m.from_role_id)!, to: at.get(m.to_role_id)!, move: m.move ?? 'promotion' }));
  const levels = [...new Set(roles.map((r) => r.level))].sort((a, b) => a - b);
  const rows = [...new Set(placed.map((r) => r.row))].sort();
  const upright = isNarrow(width);
  const margin = upright ? 40 : 90;
  // Wrap titles to the space between two neighbours so their titles do not run into each other.
  const columnPx = (width - 2 * margin) / Math.max(1, upright ? rows.length : levels.length);
  const lineWidth = Math.max(5, Math.min(14, (columnPx - 8) / 11)); // ems of the 11 px font
  const level = { label: upright ? '↑ Level' : 'Level →', domain: upright ? [...levels].reverse() : levels, type: 'point', padding: 0.6 } as const;
  const track = { label: 'Track', domain: rows, type: 'point', padding: 0.6 } as const;
  const x = (r: Placed) => (upright ? r.row : r.level);
  const y = (r: Placed) => (upright ? r.level : r.row);
  const plot = Plot.plot({
    width,
    height: Math.max(160, (upright ? levels.length * 80 : rows.length * 95) + 60),
    marginLeft: margin,
    marginRight: margin,
    x: upright ? track : level,
    y: upright ? level : track,
    color: { legend: true, label: 'Move', domain: ['promotion', 'lateral'], range: ['#4e79a7', '#f28e2b'] },
    marks: [
      Plot.arrow(arrows, { x1: (a) => x(a.from), y1: (a) => y(a.from), x2: (a) => x(a.to), y2: (a) => y(a.to), stroke: 'move', bend: true, inset: 10, strokeWidth: 1.5 }),
      Plot.dot(placed, { x, y, r: 6, fill: '#1d2433' }),
      // Titles under the dots with a white halo: the arrows bend above, and stay readable where they cross.
      Plot.text(placed, { x, y, text: 'title', dy: 10, lineAnchor: 'top', fontSize: 11, lineWidth, fill: '#1d2433', stroke: 'white', strokeWidth: 4, paintOrder: 'stroke' }),
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
