// Typed errors for the API and the one error handler: typed errors and schema failures become 4xx
// with a clear message; anything else is logged with its stack and answered with a generic 500.
import type { FastifyError, FastifyInstance } from 'fastify';

/** Where failed requests are written: one entry per failure, its first line naming the request. */
export type ErrorLog = (text: string) => void;

const logToStderr: ErrorLog = (text) => { process.stderr.write(`${text}\n`); };

export class ApiError extends Error {
  constructor(readonly statusCode: number, message: string, readonly code = 'error') {
    super(message);
    this.name = 'ApiError';
  }
}
export class BadRequestError extends ApiError {
  constructor(message: string) { super(400, message, 'bad_request'); }
}
export class NotFoundError extends ApiError {
  constructor(message: string) { super(404, message, 'not_found'); }
}
export class ConflictError extends ApiError {
  constructor(message: string) { super(409, message, 'conflict'); }
}
export class PayloadTooLargeError extends ApiError {
  constructor(message: string) { super(413, message, 'payload_too_large'); }
}

/** Make ajv's messages read like "querystring/limit must be <= 100000". */
function validationMessage(error: FastifyError): string {
  const ctx = (error as FastifyError & { validationContext?: string }).validationContext;
  const details = (error.validation ?? []).map((v) => {
    const where = [ctx, v.instancePath?.replace(/^\//, '').replaceAll('/', '.')].filter(Boolean).join('.');
    const allowed = (v.params as { allowedValues?: unknown[] })?.allowedValues;
    const extra = allowed ? ` (${allowed.join(', ')})` : '';
    const missing = (v.params as { missingProperty?: string })?.missingProperty;
    const additional = (v.params as { additionalProperty?: string })?.additionalProperty;
    if (missing) return `${ctx ?? 'request'}: missing ${missing}`;
    if (additional) return `${ctx ?? 'request'}: unknown parameter ${additional}`;
    return `${where || 'request'} ${v.message ?? 'is invalid'}${extra}`;
  });
  return details.length ? `Bad request: ${details.join('; ')}` : `Bad request: ${error.message}`;
}

export function installErrorHandler(app: FastifyInstance, log: ErrorLog = logToStderr): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.statusCode).send({ error: error.code, message: error.message, statusCode: error.statusCode });
    }
    if (error.validation) {
      return reply.status(400).send({ error: 'bad_request', message: validationMessage(error), statusCode: 400 });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's and plugins' own 4xx (body too large, bad content type, multipart limits...).
      return reply.status(status).send({ error: error.code ?? 'bad_request', message: error.message, statusCode: status });
    }
    if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' && request.raw.socket?.destroyed) {
      // The client went away mid-request (or a request deadline cut it off): no one to answer, nothing failed here.
      return reply.status(400).send({ error: 'client_closed', message: 'The client closed the connection', statusCode: 400 });
    }
    log(`${new Date().toISOString()} ${request.method} ${request.url} failed (500, request ${request.id}): ${error.stack ?? String(error)}`);
    return reply.status(500).send({ error: 'internal', message: 'Internal server error (see the server log)', statusCode: 500 });
  });
}
