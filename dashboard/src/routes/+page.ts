import { redirect } from '@sveltejs/kit';
import { getJson, settle } from '$lib/api.ts';
import type { Overview } from '$lib/types.ts';

export async function load({ fetch, parent }) {
  // An employee's start page is their own ("My path"): signing in lands there.
  const { meta } = await parent();
  if (meta?.ok && meta.data.user?.role === 'employee') redirect(307, '/me');
  return { overview: await settle(getJson<Overview>('/api/overview', undefined, fetch)) };
}
