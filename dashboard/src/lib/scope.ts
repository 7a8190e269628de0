// Whose data a page shows: a manager sees their own organisation (their subtree), admins and leaders
// all of it. The API applies the scope; pages only say it.
import type { Loaded, Meta } from './api.ts';

/** The signed-in user (from /api/meta, the layout's data) is a manager: answers cover their subtree. */
export function managerView(meta: unknown): boolean {
  const m = meta as Loaded<Meta> | undefined;
  return m?.ok === true && m.data.user?.role === 'manager';
}

/** "your organisation" for a manager, "the whole organisation" for admins and leaders. */
export const organisation = (manager: boolean) => (manager ? 'your organisation' : 'the whole organisation');
