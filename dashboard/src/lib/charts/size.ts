// Chart sizes at narrow widths: charts get their width from the container (Chart.svelte); below
// NARROW_PX (a phone) they use smaller label margins, shortened labels and fewer ticks.

export const NARROW_PX = 520;
export const isNarrow = (width: number) => width < NARROW_PX;

/** A margin for category labels: `wanted` px, but at most 35% of a narrow chart. */
export const labelMargin = (width: number, wanted: number) =>
  isNarrow(width) ? Math.min(wanted, Math.round(width * 0.35)) : wanted;

/** A tick format that shortens labels to what fits in `px` (about 6 px per character of Plot's 10 px font). */
export function fitLabel(px: number) {
  const n = Math.max(4, Math.floor(px / 6));
  return (s: unknown) => {
    const t = String(s ?? '');
    return t.length > n ? `${t.slice(0, n - 1)}…` : t;
  };
}
