import { redirect } from '@sveltejs/kit';
import { getJson, settle } from '$lib/api.ts';
import type { Overview } from '$lib/types.ts';
import type { HistoryAnswer } from '$lib/history.ts';

export async function load({ fetch, parent }) {
  // An employee's start page is their own ("My path"): signing in lands there.
  const { meta } = await parent();
  if (meta?.ok && meta.data.user?.role === 'employee') redirect(307, '/me');
  // The trend from history_overview (every month-end of the history, from the first load); the overview's
  // run_history trend is the fallback when history is off (historyMonths 0).
  const [overview, history] = await Promise.all([
    settle(getJson<Overview>('/api/overview', undefined, fetch)),
    settle(getJson<HistoryAnswer>('/api/overview/history', undefined, fetch)),
  ]);
  return { overview, history };
}
