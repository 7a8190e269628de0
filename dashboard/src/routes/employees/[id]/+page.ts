import { getJson, settle } from '$lib/api.ts';
import type { Profile } from '$lib/types.ts';

export async function load({ fetch, params }) {
  return { id: params.id, profile: await settle(getJson<Profile>(`/api/employees/${encodeURIComponent(params.id)}`, undefined, fetch)) };
}
