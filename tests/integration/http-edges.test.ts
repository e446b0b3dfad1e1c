// The edges of HTTP, on a listening server: whatever Fastify or Node refuses before a route runs still
// answers in the documented shape, `{"error": {"code", "message"}}`, and a slow client cannot hold a
// connection open.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server.ts';
import { testConfig } from '../support/test-app.ts';

let server: RunningServer;
let port: number;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'guildhall-edges-'));
  server = await startServer(testConfig(dir, { PORT: '0', HOST: '127.0.0.1' }), {
    httpTimeouts: { headersMs: 300, requestMs: 600, idleMs: 5_000, checkEveryMs: 100 },
  });
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes and reads the whole answer: status and the JSON body. */
function raw(
  request: string | Buffer,
  options: { keepOpen?: boolean } = {},
): Promise<{ status: number; body: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const bodyText = text.slice(text.indexOf('\r\n\r\n') + 4);
      let body: unknown = null;
      try {
        body = JSON.parse(bodyText);
      } catch {
        body = bodyText;
      }
      if (status === 0) reject(new Error(`no answer: ${text}`));
      else resolve({ status, body, text });
    });
    if (options.keepOpen) socket.write(request);
    else socket.end(request);
  });
}

function get(path: string, headers = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers}\r\n`;
}

/** A magic-link request with this Content-Type and body, sent as raw bytes. */
function postMagicLink(contentType: string, body: string) {
  return raw(
    `POST /api/v1/auth/magic-link HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
}

function expectShape(body: unknown, code: string): void {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe('errors raised before a route runs', () => {
  it('a route that does not exist', async () => {
    const answer = await raw(get('/api/v1/nothing-here'));
    expect(answer.status).toBe(404);
    expectShape(answer.body, 'not_found');
  });

  it('bad percent-encoding in the path', async () => {
    const answer = await raw(get('/api/v1/hub-groups/%E0%A4%A'));
    expect(answer.status).toBe(400);
    expectShape(answer.body, 'bad_url');
  });

  it('a body too large', async () => {
    const body = JSON.stringify({ email: 'x'.repeat(2 * 1024 * 1024) });
    const answer = await postMagicLink('application/json', body);
    expect(answer.status).toBe(413);
    expectShape(answer.body, 'body_too_large');
  });

  it('a body of a type the route does not take', async () => {
    const body = '<email>a@example.test</email>';
    const answer = await postMagicLink('text/xml', body);
    expect(answer.status).toBe(415);
    expectShape(answer.body, 'unsupported_media_type');
  });

  it('JSON that does not parse', async () => {
    const body = '{"email": ';
    const answer = await postMagicLink('application/json', body);
    expect(answer.status).toBe(400);
    expectShape(answer.body, 'bad_json');
  });

  it('a URL too long', async () => {
    const answer = await raw(get(`/api/v1/users?search=${'a'.repeat(20_000)}`));
    expect(answer.status).toBe(414);
    expectShape(answer.body, 'uri_too_long');
  });

  it('headers too large', async () => {
    const answer = await raw(get('/healthz', `X-Big: ${'a'.repeat(20_000)}\r\n`));
    expect(answer.status).toBe(431);
    expectShape(answer.body, 'headers_too_large');
  });

  it('a request that is not HTTP', async () => {
    const answer = await raw('HELLO\r\n\r\n');
    expect(answer.status).toBe(400);
    expectShape(answer.body, 'bad_request');
  });
});

describe('a slow client', () => {
  it('that never finishes its headers is answered 408 and let go', async () => {
    const started = Date.now();
    const answer = await raw('GET /healthz HTTP/1.1\r\nHost: localhost\r\n', { keepOpen: true });
    expect(answer.status).toBe(408);
    expectShape(answer.body, 'request_timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('that never finishes its body is answered 408 and let go', async () => {
    const started = Date.now();
    const answer = await raw(
      'POST /api/v1/auth/magic-link HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email"',
      { keepOpen: true },
    );
    expect(answer.status).toBe(408);
    expectShape(answer.body, 'request_timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
