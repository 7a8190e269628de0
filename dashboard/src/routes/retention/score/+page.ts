import { getJson, settle } from '$lib/api.ts';
import { managerView } from '$lib/scope.ts';
import type { Backtest } from '$lib/history.ts';

export async function load({ fetch, parent }) {
  const [backtest, { meta }] = await Promise.all([settle(getJson<Backtest>('/api/retention/backtest', undefined, fetch)), parent()]);
  return { backtest, asManager: managerView(meta) };
}
