import { getJson, settle } from '$lib/api.ts';
import type { Me } from '$lib/types.ts';

/** The signed-in person's own page: GET /api/me (whose data it is comes from the account, never the URL). */
export async function load({ fetch }) {
  return { me: await settle(getJson<Me>('/api/me', undefined, fetch)) };
}
