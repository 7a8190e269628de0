// The audit trail: who signed in (or failed to), who viewed an individual's profile, who exported what,
// who changed accounts or saved a succession plan. Rows go to the `audit_log` table; admins read them through GET /api/audit.
import type { FastifyRequest } from 'fastify';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all } from '../../../pipeline/src/db.ts';
import { exec } from '../../../pipeline/src/db.ts';

export type AuditAction =
  | 'login' | 'login_failed' | 'logout'
  | 'view_employee' | 'export'
  | 'user_add' | 'user_remove' | 'user_passwd'
  | 'plan_create' | 'plan_edit'
  | (string & {});

export interface AuditEntry {
  at: string;
  username: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

export async function writeAudit(conn: DuckDBConnection, entry: Omit<AuditEntry, 'at'> & { at: Date }): Promise<void> {
  await exec(conn,
    `insert into audit_log ("at", username, action, target, detail, ip)
     values ($at::timestamp, $username, $action, $target, $detail, $ip)`,
    {
      at: entry.at.toISOString(), username: entry.username, action: entry.action,
      target: entry.target?.slice(0, 500) ?? null, detail: entry.detail?.slice(0, 2000) ?? null, ip: entry.ip,
    });
}

/**
 * Record what the current request's user did. `detail` may be an object (stored as JSON). Awaiting it
 * is enough: a failed write fails the request, so nothing auditable goes unrecorded.
 */
export async function audit(request: FastifyRequest, action: AuditAction, target?: string | null,
  detail?: string | Record<string, unknown> | null, username?: string | null): Promise<void> {
  const auth = request.server.trellisAuth;
  const text = detail == null ? null : typeof detail === 'string' ? detail : JSON.stringify(detail);
  await auth.store.use((conn) => writeAudit(conn, {
    at: auth.now(), username: username ?? request.user?.username ?? null, action,
    target: target ?? null, detail: text, ip: request.ip ?? null,
  }));
}

export interface AuditFilter {
  username?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** Newest first; `from`/`to` are ISO dates or timestamps (to is exclusive). */
export async function listAudit(conn: DuckDBConnection, f: AuditFilter): Promise<{ rows: AuditEntry[]; total: number }> {
  const where = [
    '($username::varchar is null or username = $username)',
    '($action::varchar is null or action = $action)',
    '($target::varchar is null or target = $target)',
    '($from::varchar is null or "at" >= $from::timestamp)',
    '($to::varchar is null or "at" < $to::timestamp)',
  ].join(' and ');
  const params = {
    username: f.username ?? null, action: f.action ?? null, target: f.target ?? null,
    from: f.from ?? null, to: f.to ?? null,
  };
  const rows = await all<AuditEntry & Record<string, unknown>>(conn,
    `select strftime("at", '%Y-%m-%dT%H:%M:%S.%gZ') as "at", username, action, target, detail, ip
     from audit_log where ${where} order by "at" desc, action limit $limit offset $offset`,
    { ...params, limit: f.limit, offset: f.offset });
  const total = await all<{ n: number }>(conn, `select count(*)::int as n from audit_log where ${where}`, params);
  return { rows, total: Number(total[0]?.n ?? 0) };
}
