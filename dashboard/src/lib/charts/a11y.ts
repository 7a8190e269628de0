// Accessibility of the Plot charts. Every chart returns `withText(plot, …)`: its figures
// as a visually hidden table (the text alternative; the drawing itself is hidden from assistive technology,
// its tick labels read as noise). Drill-down charts (9-box, heatmap) draw their cells with `keyboardCells`:
// each cell is a button (one Tab stop, arrow keys move, Enter or Space selects), and selecting dispatches
// a `chartselect` event with the datum, which Chart.svelte hands to `onselect`.
import type { RenderFunction } from '@observablehq/plot';

export interface ChartText {
  caption: string;
  columns: string[];
  rows: (string | number | null | undefined)[][];
}

/**
 * The chart with its data as a visually hidden table. SVGs without keyboard cells are aria-hidden; in one
 * with keyboard cells, every other mark group is (Plot labels them with aria-label but no role).
 */
export function withText(plot: Element, text: ChartText): Element {
  const doc = plot.ownerDocument;
  let figure = plot;
  if (plot.tagName.toLowerCase() !== 'figure') {
    figure = doc.createElement('figure');
    figure.append(plot);
  }
  for (const svg of figure.querySelectorAll('svg')) {
    if (!svg.querySelector('[role="button"]')) svg.setAttribute('aria-hidden', 'true');
    else for (const g of svg.querySelectorAll(':scope > g')) if (!g.querySelector('[role="button"]')) g.setAttribute('aria-hidden', 'true');
  }
  const table = doc.createElement('table');
  table.createCaption().textContent = text.caption;
  const head = table.createTHead().insertRow();
  for (const c of text.columns) {
    const th = doc.createElement('th');
    th.scope = 'col';
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of text.rows) {
    const tr = body.insertRow();
    for (const v of r) tr.insertCell().textContent = v == null ? '—' : String(v);
  }
  // Hidden through a wrapper: a table box ignores the 1 px width and would widen the page.
  const hidden = doc.createElement('div');
  hidden.className = 'visually-hidden';
  hidden.append(table);
  figure.append(hidden);
  return figure;
}

const STEP: Record<string, [number, number]> = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

function centre(el: Element): [number, number] {
  const n = (a: string) => Number(el.getAttribute(a) ?? 0);
  return [n('x') + n('width') / 2, n('y') + n('height') / 2];
}

/** The nearest cell in the arrow's direction (same row or column first). */
function neighbour(cells: Element[], from: Element, [dx, dy]: [number, number]): Element | undefined {
  const [x0, y0] = centre(from);
  let best: Element | undefined;
  let bestScore = Infinity;
  for (const c of cells) {
    const [x, y] = centre(c);
    const along = (x - x0) * dx + (y - y0) * dy;
    if (along <= 0.5) continue;
    const score = along + 4 * Math.abs((x - x0) * dy + (y - y0) * dx);
    if (score < bestScore) { bestScore = score; best = c; }
  }
  return best;
}

/**
 * A render transform for a cell mark whose cells are drill-downs (give the mark an `ariaLabel` channel to
 * name each cell): the cells become buttons in one Tab stop, moved between with the arrow keys (Home, End),
 * selected with Enter or Space.
 */
export function keyboardCells<T>(data: T[], groupLabel: string): RenderFunction {
  return (index, scales, values, dimensions, context, next) => {
    const g = next!(index, scales, values, dimensions, context)!;
    g.setAttribute('role', 'group');
    g.setAttribute('aria-label', groupLabel);
    const cells = [...g.querySelectorAll(':scope > rect')];
    const move = (from: Element, to: Element | undefined) => {
      if (!to) return;
      from.setAttribute('tabindex', '-1');
      to.setAttribute('tabindex', '0');
      (to as SVGElement).focus();
    };
    cells.forEach((cell, k) => {
      cell.setAttribute('role', 'button');
      cell.setAttribute('tabindex', k === 0 ? '0' : '-1');
      cell.addEventListener('keydown', (event) => {
        const e = event as KeyboardEvent;
        if (e.key === 'Enter' || e.key === ' ') {
          cell.dispatchEvent(new CustomEvent('chartselect', { detail: data[index[k]], bubbles: true }));
        } else if (STEP[e.key]) move(cell, neighbour(cells, cell, STEP[e.key]));
        else if (e.key === 'Home') move(cell, cells[0]);
        else if (e.key === 'End') move(cell, cells.at(-1));
        else return;
        e.preventDefault();
      });
    });
    return g;
  };
}
