// How long a client may take to send a request. A request (headers and body) must arrive within
// `requestTimeoutS` (TRELLIS_REQUEST_TIMEOUT_S, default 30 s); a file upload (multipart) gets that plus
// 8 s per MB of the upload limit, i.e. the largest upload at 1 Mbit/s (430 s at the default 50 MB).
// Past its deadline the request is answered 408 and the connection closed, so a body trickled a byte at
// a time cannot hold a connection open. Node enforces the header deadline and, as a backstop, the
// upload deadline on every request; the hook below applies the shorter body deadline per request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ServerConfig } from '../index.ts';

/** Seconds per MB of upload allowed on top of the request timeout: 1 Mbit/s. */
const UPLOAD_S_PER_MB = 8;
/** A socket with no traffic this long is closed (a client that stopped reading an answer). */
const IDLE_SOCKET_MS = 600_000;
/** Idle keep-alive connections are closed after this; longer than common proxies' 60 s, so a proxy never reuses a closing one. */
const KEEP_ALIVE_MS = 72_000;

export interface RequestDeadlines {
  /** Whole request, headers and body. */
  requestMs: number;
  /** A multipart upload's whole request. */
  uploadMs: number;
}

export function requestDeadlines(config: Pick<ServerConfig, 'requestTimeoutS' | 'uploadLimitMb'>): RequestDeadlines {
  const requestMs = Math.round((config.requestTimeoutS ?? 30) * 1000);
  return { requestMs, uploadMs: requestMs + Math.round((config.uploadLimitMb ?? 50) * UPLOAD_S_PER_MB * 1000) };
}

/** Fastify's server options for these deadlines (Node checks its own every quarter of the request timeout, at most 30 s). */
export function serverTimeouts(config: Pick<ServerConfig, 'requestTimeoutS' | 'uploadLimitMb'>) {
  const { requestMs, uploadMs } = requestDeadlines(config);
  return {
    requestTimeout: uploadMs,
    connectionTimeout: IDLE_SOCKET_MS,
    keepAliveTimeout: KEEP_ALIVE_MS,
    http: { // Node's own options at creation (it checks headersTimeout ≤ requestTimeout there)
      headersTimeout: requestMs,
      requestTimeout: uploadMs,
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.round(requestMs / 4))),
    },
  };
}

function hasBody(request: FastifyRequest): boolean {
  const { headers } = request;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/** Answer 408 on the socket itself (unless an answer has started) and close it. */
function cutOff(request: FastifyRequest, reply: FastifyReply, seconds: number): void {
  const socket = request.raw.socket;
  // app.inject's stand-in socket has no connection to cut (nor destroy): only real sockets are cut off.
  if (request.raw.complete || socket.destroyed || typeof socket.destroy !== 'function') return;
  const body = JSON.stringify({
    error: 'request_timeout', statusCode: 408,
    message: `The request was not received within ${seconds} s; send it again (a slow link: see TRELLIS_REQUEST_TIMEOUT_S)`,
  });
  if (socket.writable && !reply.raw.headersSent) {
    socket.write(`HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nCache-Control: no-store\r\nContent-Type: application/json\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy();
}

async function timeouts(app: FastifyInstance, opts: { config: ServerConfig }) {
  const { requestMs, uploadMs } = requestDeadlines(opts.config);
  app.addHook('onRequest', async (request, reply) => {
    if (!hasBody(request)) return;
    const ms = request.headers['content-type']?.startsWith('multipart/') ? uploadMs : requestMs;
    // Kept after an early answer too: Node then reads and drops the rest of the body, which must also end in time.
    const timer = setTimeout(() => cutOff(request, reply, Math.round(ms / 100) / 10), ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    request.raw.once('end', clear);
    request.raw.once('close', clear);
  });
}

export default fp(timeouts, { name: 'trellis-timeouts' });
