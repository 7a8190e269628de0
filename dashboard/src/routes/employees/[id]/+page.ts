import { getJson, settle } from '$lib/api.ts';

export async function load({ fetch, params }) {
  return { id: params.id, profile: await settle(getJson<Record<string, unknown>>(`/api/employees/${encodeURIComponent(params.id)}`, undefined, fetch)) };
}
