// The encoder warm-up: once per process when a server starts listening, never for servers that only
// answer inject() (tests), and closing a server waits for a warm-up under way.
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../pipeline/src/db.ts';
import { arrowWarmUps } from './arrow-warm.ts';
import { ADMIN, testServer } from './test-org.ts';

const open: { app: FastifyInstance; db: Db }[] = [];
afterAll(async () => { for (const s of open) { await s.app.close(); s.db.close(); } });

describe('Arrow encoder warm-up', () => {
  it('does not run for a server that never listens', async () => {
    const s = await testServer();
    open.push(s);
    const res = await s.app.inject({ url: '/api/retention?limit=100000', headers: { ...ADMIN, accept: 'application/vnd.apache.arrow.stream' } });
    expect(res.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(arrowWarmUps()).toBe(0);
  });

  it('runs once per process when servers listen; close waits for it', async () => {
    const first = await testServer();
    await first.app.listen({ host: '127.0.0.1', port: 0 });
    await first.app.close(); // waits for the warm-up started by listen
    first.db.close();
    expect(arrowWarmUps()).toBe(1);
    const second = await testServer();
    await second.app.listen({ host: '127.0.0.1', port: 0 });
    await second.app.close();
    second.db.close();
    expect(arrowWarmUps()).toBe(1);
  });
});
