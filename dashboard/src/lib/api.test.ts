// The dashboard's API client: a 401 sends the browser to the sign-in page, once.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, getJson, loginHref } from './api.ts';

const unauthorized = (async () => new Response('{}', { status: 401 })) as typeof fetch;

afterEach(() => { delete (globalThis as { window?: unknown }).window; });

describe('a 401', () => {
  it('sends the browser to the sign-in page once, however many calls of the page get one', async () => {
    const assigned: string[] = [];
    (globalThis as { window?: unknown }).window = {
      location: { pathname: '/retention', search: '?band=high', assign: (url: string) => { assigned.push(url); } },
    };
    const calls = await Promise.allSettled([
      getJson('/api/retention', undefined, unauthorized),
      getJson('/api/meta', undefined, unauthorized),
      getJson('/api/overview', undefined, unauthorized),
    ]);
    for (const c of calls) {
      expect(c.status).toBe('rejected');
      expect((c as PromiseRejectedResult).reason).toBeInstanceOf(ApiError);
      expect(((c as PromiseRejectedResult).reason as ApiError).status).toBe(401);
    }
    // a second assign would abort the first navigation (Chromium: net::ERR_ABORTED) and start it again
    expect(assigned).toEqual([loginHref('/retention?band=high')]);
    expect(assigned[0]).toBe('/login?next=%2Fretention%3Fband%3Dhigh');
  });
});
