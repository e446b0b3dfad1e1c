// The server as `guildhall start` runs it: listening on a port, and shutting down gracefully.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeOnSignal, startServer } from '../../src/server.ts';
import { signal } from '../support/signal.ts';
import { testConfig } from '../support/test-app.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a running server', () => {
  it('prints a setup link while there is no owner, and lets an in-flight request finish on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guildhall-lifecycle-'));
    dirs.push(dir);
    const gate = signal();
    const inHandler = signal();
    const server = await startServer(testConfig(dir, { PORT: '0' }), {
      extend(app) {
        app.get('/__slow', async () => {
          inHandler.fire();
          await gate.reached;
          return { finished: true };
        });
      },
    });
    expect(server.setupUrl).toMatch(/^http:\/\/localhost:3000\/setup\?code=[A-Za-z0-9_-]{10,}$/);

    const slow = fetch(`${server.url}/__slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await inHandler.reached;
    const closed = closeOnSignal(server);
    process.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    gate.fire();
    expect(await slow).toEqual({ status: 200, body: { finished: true } });
    expect(await closed).toBe('SIGTERM');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
