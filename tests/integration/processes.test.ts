// `guildhall start --processes 2` as a program: one port served by two web processes, one setup link,
// a killed process started again while the other keeps answering, and SIGTERM stopping them all.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type GuildhallProgram, runGuildhall } from '../support/processes.ts';
import { createTestDatabase } from '../support/test-app.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let program: GuildhallProgram | null = null;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await program?.stop();
  await database.cleanup();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('guildhall start --processes 2', () => {
  it('serves one port from two processes, restarts a killed one, and stops them all on SIGTERM', {
    timeout: 120_000,
  }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    program = runGuildhall(['start', '--processes', '2'], {
      ...database.env,
      PORT: String(port),
      RUN_WORKER: 'true',
      LOG_LEVEL: 'warn',
      // The compiled server with Redis counting its rate limits (CI sets TEST_REDIS_URL).
      ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
    });
    await program.waitFor('(2 processes)', 60_000);
    // The first process issued the setup link; the second did not issue another.
    expect(program.output().match(/Finish setting up: open \S+setup\?code=/g)).toHaveLength(1);
    const [first, second] = program.webProcesses();
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);

    // A rate-limited route answers on every process: a wrong password is refused, not an error.
    for (let i = 0; i < 4; i += 1) {
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', connection: 'close' },
        body: JSON.stringify({ email: `nobody-${randomUUID()}@example.test`, password: 'not the password' }),
      });
      expect(login.status).toBe(401);
    }

    // With Redis, counted there (the database would stand in only while Redis is unreachable).
    if (process.env.TEST_REDIS_URL) expect(program.output()).not.toContain('Redis is unreachable');

    process.kill(first as number, 'SIGKILL');
    // The other process answers every request while the killed one is started again.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      // A new connection each time, so the kernel hands them to either process.
      statuses.push((await fetch(`${url}/healthz`, { headers: { connection: 'close' } })).status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(new Set(statuses)).toEqual(new Set([200]));
    await program.waitFor(/exited \(SIGKILL\); starting it again/);
    await expect.poll(() => program?.webProcesses().length, { timeout: 30_000 }).toBe(2);
    const restarted = program.webProcesses();
    expect(restarted).not.toContain(first);
    expect(restarted).toContain(second);

    // The setup link printed at the start still works after the first process (the lowest pid, the
    // one killed) was started again: a restart does not issue another.
    const code = /setup\?code=([A-Za-z0-9_-]+)/.exec(program.output())?.[1];
    const setup = await fetch(`${url}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
      body: JSON.stringify({
        code,
        platformName: 'Two Processes',
        name: 'Owner',
        email: `owner-${randomUUID()}@example.test`,
        password: 'a long enough password',
      }),
    });
    expect(setup.status).toBe(201);

    expect(await program.stop()).toBe(0);
    expect([...restarted, second].filter((pid) => alive(pid as number))).toEqual([]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('stops promptly when told to right after a process was started again', {
    timeout: 120_000,
  }, async () => {
    const port = await freePort();
    const starting = runGuildhall(['start', '--processes', '2'], {
      ...database.env,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    await starting.waitFor('(2 processes)', 60_000);
    const [first] = starting.webProcesses();
    process.kill(first as number, 'SIGKILL');
    await starting.waitFor(/exited \(SIGKILL\); starting it again/);
    // Once the new process exists and before it listens, the primary is told to stop: the SIGTERM the
    // loading process gets must not be swallowed (a signal before its handlers exist ends it; one after
    // is remembered until it has started). The window is narrow: this guards the outcome.
    await expect.poll(() => starting.webProcesses().length, { interval: 5, timeout: 10_000 }).toBe(2);
    expect(starting.output()).not.toContain('is back');
    const stopping = Date.now();
    expect(await starting.stop()).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(15_000);
  });
});
