// The one DuckDB instance (opened by the caller) and a small pool of read connections.
// Reads use their own connections, so they never wait for a running import: the pipeline writes on
// its own connection inside a transaction and DuckDB's MVCC shows readers the last committed state.
import type { DuckDBConnection } from '@duckdb/node-api';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../pipeline/src/db.ts';

export interface ReadPool {
  /** Borrow a connection for the duration of `fn`. */
  use<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  close(): void;
}

export function createReadPool(db: Db, size = 4): ReadPool {
  const idle: DuckDBConnection[] = [];
  const waiting: ((conn: DuckDBConnection) => void)[] = [];
  const all: DuckDBConnection[] = [];
  let creating = 0;

  async function acquire(): Promise<DuckDBConnection> {
    const conn = idle.pop();
    if (conn) return conn;
    if (all.length + creating < size) {
      creating++;
      try {
        const fresh = await db.connect();
        all.push(fresh);
        return fresh;
      } finally {
        creating--;
      }
    }
    return new Promise((resolve) => waiting.push(resolve));
  }

  function release(conn: DuckDBConnection) {
    const next = waiting.shift();
    if (next) next(conn);
    else idle.push(conn);
  }

  return {
    async use(fn) {
      const conn = await acquire();
      try {
        // One transaction per borrow: every query of a request reads the same committed snapshot, so
        // an answer never mixes the run before a pipeline COMMIT with the run after it.
        await conn.run('begin transaction');
        try {
          return await fn(conn);
        } finally {
          await conn.run('rollback'); // read only: nothing to keep
        }
      } finally {
        release(conn);
      }
    },
    close() {
      for (const conn of all) conn.closeSync();
      all.length = 0;
      idle.length = 0;
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    reads: ReadPool;
  }
}

async function dbPlugin(app: FastifyInstance, opts: { db: Db; poolSize?: number }) {
  const pool = createReadPool(opts.db, opts.poolSize ?? 4);
  app.decorate('db', opts.db);
  app.decorate('reads', pool);
  app.addHook('onClose', async () => pool.close());
}

export default fp(dbPlugin, { name: 'trellis-db' });
