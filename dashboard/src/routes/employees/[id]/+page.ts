import { getJson, settle } from '$lib/api.ts';
import type { Profile, Suggestions } from '$lib/types.ts';

export async function load({ fetch, params }) {
  const id = encodeURIComponent(params.id);
  const [profile, suggestions] = await Promise.all([
    settle(getJson<Profile>(`/api/employees/${id}`, undefined, fetch)),
    settle(getJson<Suggestions>(`/api/employees/${id}/suggestions`, undefined, fetch)),
  ]);
  return { id: params.id, profile, suggestions };
}
