// Filters live in the URL query so a view can be shared. Pages read them in `load` and change them
// with `setFilter`, which navigates to the same page with the new query (the load reruns).
import { goto } from '$app/navigation';

/** The named query parameters of a URL, empty ones left out. */
export function readFilters<K extends string>(url: URL, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = url.searchParams.get(k);
    if (v !== null && v !== '') out[k] = v;
  }
  return out;
}

/** The URL (path + query) with some parameters set or, when empty, removed. */
export function hrefWith(url: URL, changes: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams(url.searchParams);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') params.delete(k);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${url.pathname}?${qs}` : url.pathname;
}

export function setFilter(url: URL, changes: Record<string, string | number | null | undefined>): Promise<void> {
  return goto(hrefWith(url, changes), { keepFocus: true, noScroll: true });
}

/** GET /api/filters: every value the filter drop-downs offer (departments and managers are the caller's). */
export interface FilterValues {
  departments: string[];
  job_families: string[];
  skills: { skill_id: string; name: string | null }[];
  /** People with direct reports, in the caller's scope. */
  managers: { employee_id: string; full_name: string | null }[];
}
