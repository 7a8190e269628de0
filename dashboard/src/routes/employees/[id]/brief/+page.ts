import { getJson, settle } from '$lib/api.ts';
import type { Brief } from '$lib/types.ts';

export async function load({ fetch, params }) {
  return { id: params.id, brief: await settle(getJson<Brief>(`/api/employees/${encodeURIComponent(params.id)}/brief`, undefined, fetch)) };
}
