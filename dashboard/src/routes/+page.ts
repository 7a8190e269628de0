import { getJson, settle } from '$lib/api.ts';
import type { Overview } from '$lib/types.ts';

export async function load({ fetch }) {
  return { overview: await settle(getJson<Overview>('/api/overview', undefined, fetch)) };
}
