// `guildhall` as a real program (bin/guildhall.js) for the tests of several processes: started on a
// test database, its output kept, stopped with a signal; and a fetch client that keeps cookies.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'guildhall.js');

export interface GuildhallProgram {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when `text` appears in its output (rejects after `timeoutMs` or when it exits first). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** The pids of the web processes a primary started (its children running guildhall). */
  webProcesses(): number[];
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

export function runGuildhall(args: string[], env: Record<string, string>): GuildhallProgram {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const take = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = once(child, 'exit');
  return {
    child,
    output: () => text,
    waitFor(wanted, timeoutMs = 30_000) {
      const seen = () => (typeof wanted === 'string' ? text.includes(wanted) : wanted.test(text));
      return new Promise((resolve, reject) => {
        const done = (error?: Error) => {
          listeners.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (seen()) done();
        };
        const timer = setTimeout(
          () => done(new Error(`no ${String(wanted)} within ${timeoutMs} ms; output:\n${text}`)),
          timeoutMs,
        );
        listeners.add(check);
        exited.then(() => {
          if (!seen()) done(new Error(`exited before ${String(wanted)}; output:\n${text}`));
        });
        check();
      });
    },
    webProcesses() {
      if (child.pid === undefined) return [];
      const lines = execFileSync('ps', ['--ppid', String(child.pid), '-o', 'pid=,args='], {
        encoding: 'utf8',
      });
      return lines
        .split('\n')
        .filter((line) => line.includes('guildhall.js'))
        .map((line) => Number(line.trim().split(/\s+/)[0]));
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}

/** A browser-like client for one Guildhall URL: keeps cookies, sends the CSRF header and the origin. */
export function httpClient(origin: string, cookies: Map<string, string> = new Map()) {
  async function request(url: string, method = 'GET', body?: unknown) {
    const csrf = cookies.get('gh_csrf');
    const response = await fetch(url.startsWith('http') ? url : `${origin}${url}`, {
      method,
      headers: {
        origin: 'http://localhost:3000',
        ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (!pair || at < 0) continue;
      const value = pair.slice(at + 1);
      if (value === '' || /max-age=0/i.test(line)) cookies.delete(pair.slice(0, at));
      else cookies.set(pair.slice(0, at), value);
    }
    const textBody = await response.text();
    return {
      status: response.status,
      body: textBody ? (JSON.parse(textBody) as Record<string, unknown>) : {},
    };
  }
  return {
    cookies,
    get: (url: string) => request(url),
    post: (url: string, body: unknown = {}) => request(url, 'POST', body),
    patch: (url: string, body: unknown = {}) => request(url, 'PATCH', body),
    delete: (url: string) => request(url, 'DELETE'),
    request,
    /** The same session on another process. */
    on: (otherOrigin: string) => httpClient(otherOrigin, cookies),
  };
}
