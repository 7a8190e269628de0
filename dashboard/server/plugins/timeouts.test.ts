// Request deadlines over a real socket: a server on loopback with a 1 s request timeout and a 0.1 MB
// upload limit (uploads: 1 s + 0.8 s), and clients that send their headers or body too slowly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../pipeline/src/db.ts';
import { arrowWarmUps } from '../arrow-warm.ts';
import { buildServer } from '../index.ts';
import { AS_OF, createTestOrg, LOCAL_TOKEN, tmpDir } from '../test-org.ts';
import { requestDeadlines } from './timeouts.ts';

const CONFIG = { requestTimeoutS: 1, uploadLimitMb: 0.1 };
let app: FastifyInstance;
let db: Db;
let port: number;
let host: string;
const log: string[] = [];

beforeAll(async () => {
  const dir = tmpDir('trellis-timeouts-');
  db = await createTestOrg(dir);
  app = await buildServer({
    config: { inbox: path.join(dir, 'inbox'), asOf: AS_OF, staticDir: path.join(dir, 'no-build'), ...CONFIG },
    db, localToken: LOCAL_TOKEN, errorLog: (text) => log.push(text),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as net.AddressInfo).port;
  host = `127.0.0.1:${port}`;
  // The Arrow warm-up after listen holds the event loop for a moment: let it finish before timing anything.
  for (let i = 0; i < 400 && arrowWarmUps() === 0; i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => { await app.close(); db.close(); });

interface Exchange { answer: string; closedAfterMs: number | null }

/**
 * Send `head`, then the chunks of `body` (one every `everyMs`, the last ones possibly never), and wait
 * until the server closes the connection (or `giveUpMs` passes: closedAfterMs null).
 */
function exchange(head: string, body: string[], everyMs: number, giveUpMs = 8000): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (closedAfterMs: number | null) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, closedAfterMs });
    };
    const giveUp = setTimeout(() => done(null), giveUpMs);
    socket.on('data', (d) => { answer += d.toString(); });
    socket.on('error', () => {});
    socket.on('close', () => done(Math.round(performance.now() - started)));
    socket.write(head);
    const chunks = [...body];
    timer = setInterval(() => {
      const next = chunks.shift();
      if (next !== undefined && !socket.destroyed) socket.write(next);
    }, everyMs);
  });
}

const trickle = (text: string) => text.split('');

describe('request deadlines', () => {
  it('derives the upload deadline from the upload limit (1 Mbit/s)', () => {
    expect(requestDeadlines(CONFIG)).toEqual({ requestMs: 1000, uploadMs: 1800 });
    expect(requestDeadlines({})).toEqual({ requestMs: 30_000, uploadMs: 430_000 });
  });

  it('answers 408 and closes when a body trickles in a byte at a time', async () => {
    const body = JSON.stringify({ username: 'admin', password: 'x'.repeat(60) });
    const r = await exchange(`POST /api/auth/login HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, trickle(body), 200);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeGreaterThanOrEqual(900);
    expect(r.closedAfterMs!).toBeLessThan(2500);
    expect(r.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(r.answer).toMatch(/"message":"The request was not received within 1 s/);
  });

  it('an early answer (401) does not let the rest of the body trickle on', async () => {
    const r = await exchange(`POST /api/pipeline/runs HTTP/1.1\r\nHost: ${host}\r\n`
      + `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n`, trickle(`{"a":"${'x'.repeat(80)}`), 100);
    expect(r.answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeGreaterThanOrEqual(900);
    expect(r.closedAfterMs!).toBeLessThan(1700); // the request deadline, not Node's later upload-length backstop
  });

  it('closes a connection whose headers never end', async () => {
    const r = await exchange(`GET /api/health HTTP/1.1\r\nHost: ${host}\r\n`, trickle('X-Slow: 1234567890'), 300);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs!).toBeLessThan(3000);
    expect(r.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  describe('an upload (multipart)', () => {
    const boundary = 'trellis-boundary';
    const csv = 'role_id,title,job_family,level,track,is_critical,planned_headcount\nR9,Tester,QA,1,ic,false,1\n';
    const form = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="roles_upload.csv"\r\n`
      + `Content-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const head = `POST /api/pipeline/uploads HTTP/1.1\r\nHost: ${'HOST'}\r\nAuthorization: Bearer ${LOCAL_TOKEN}\r\n`
      + `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${form.length}\r\nConnection: close\r\n\r\n`;

    it('gets the longer upload deadline: a whole upload slower than the request timeout still loads', async () => {
      const half = Math.floor(form.length / 2);
      const r = await exchange(head.replace('HOST', host), [form.slice(0, half), form.slice(half)], 650);
      expect(r.answer).toMatch(/^HTTP\/1\.1 201 /);
      expect(r.closedAfterMs!).toBeGreaterThan(1200); // past the 1 s request timeout
    });

    it('but is cut off at the upload deadline', async () => {
      const r = await exchange(head.replace('HOST', host), trickle(form.slice(0, 200)), 100);
      expect(r.closedAfterMs).not.toBeNull();
      expect(r.closedAfterMs!).toBeGreaterThanOrEqual(1700);
      expect(r.closedAfterMs!).toBeLessThan(3500);
      expect(r.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(log).toEqual([]); // a client cut off is not a server failure
    });
  });
});
