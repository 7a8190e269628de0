// One connection for the account tables (sessions, audit), used one operation at a time, so auth
// writes never interleave on a connection and never wait for a read pool that analytics fill up.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Db } from '../../../pipeline/src/db.ts';

export interface AuthStore {
  use<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  close(): void;
}

export function createAuthStore(db: Db): AuthStore {
  let conn: Promise<DuckDBConnection> | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    use<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
      conn ??= db.connect();
      const run = queue.then(async () => fn(await conn!));
      queue = run.then(() => undefined, () => undefined);
      return run;
    },
    close() {
      const pending = conn;
      conn = null;
      void pending?.then((c) => c.closeSync(), () => undefined);
    },
  };
}
