// What happens before Fastify routes a request: how long a client may take, and the answer to a request
// Node refuses to parse. Both keep the documented error shape, so a client never sees another.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpTimeouts {
  /** Time to send the request line and headers. */
  headersMs: number;
  /** Time to send the whole request, body included (an image upload on a slow phone fits). */
  requestMs: number;
  /** Time a connection may sit idle, between requests or mid-request. */
  idleMs: number;
  /** How often Node checks the first two; a request may overrun them by this much. */
  checkEveryMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 15_000,
  requestMs: 120_000,
  idleMs: 60_000,
  checkEveryMs: 5_000,
};

/** Fastify's server options for these timeouts. */
export function timeoutOptions(timeouts: HttpTimeouts) {
  return {
    connectionTimeout: timeouts.idleMs,
    requestTimeout: timeouts.requestMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkEveryMs },
  };
}

/** A request line longer than this, refused by the parser, is answered 414 rather than 431. */
const LONG_REQUEST_LINE = 8 * 1024;

type ClientError = Error & { code?: string; rawPacket?: unknown };

function clientErrorAnswer(error: ClientError) {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'request_timeout', message: 'The request took too long to arrive.' };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : null;
    const lineEnd = packet ? packet.indexOf('\r\n') : -1;
    if (packet && (lineEnd === -1 || lineEnd > LONG_REQUEST_LINE)) {
      return { status: 414, code: 'uri_too_long', message: 'The URL is too long.' };
    }
    return { status: 431, code: 'headers_too_large', message: 'The request headers are too large.' };
  }
  return { status: 400, code: 'bad_request', message: 'The request is not valid HTTP.' };
}

/** Fastify's `clientErrorHandler`: Node could not parse the request, so no route will see it. */
export function answerClientError(error: ClientError, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const answer = clientErrorAnswer(error);
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
