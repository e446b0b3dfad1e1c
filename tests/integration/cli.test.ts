// The `guildhall` command on the same data as a running app: every command in-process (runCli, as
// bin/guildhall.js runs it), and the binary itself once.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { runCli } from '../../src/cli.ts';
import { client, signIn } from '../support/factories.ts';
import { createTestDatabase } from '../support/test-app.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'guildhall.js');
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: Awaited<ReturnType<typeof buildApp>>['app'];

async function guildhall(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { PATH: process.env.PATH ?? '', ...database.env },
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { stdout, stderr, code };
}

beforeAll(async () => {
  database = await createTestDatabase();
  // The app runs on the same data the whole time: every command below works beside it.
  ({ app } = await buildApp({ config: database.config, db: database.db, engine: database.engine }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await database.cleanup();
});

describe('guildhall CLI', () => {
  it('runs as a program: bin/guildhall.js migrates the same data and exits 0', async () => {
    const { stdout } = await run(process.execPath, [bin, 'migrate'], {
      env: { PATH: process.env.PATH ?? '', ...database.env },
      timeout: 30_000,
    });
    expect(stdout).toContain('Already up to date');
    const refused = await run(process.execPath, [bin, 'nonsense'], { timeout: 30_000 }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toContain('Unknown command "nonsense"');
  });

  it('migrates, creates the owner, users, a login link and an API key the running app accepts', async () => {
    expect((await guildhall('migrate')).stdout).toContain('Already up to date');

    const bad = await guildhall('create-owner', '--email', 'nope', '--password', 'short');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--email: must be an email address');
    expect(bad.stderr).toContain('--password: must be at least 10 characters');

    const owner = await guildhall(
      'create-owner',
      '--email',
      'Boss@Example.test',
      '--password',
      'owner password 1',
      '--name',
      'Boss',
    );
    expect(owner.stdout).toContain('Owner boss@example.test created');
    expect(
      (await guildhall('create-owner', '--email', 'x@example.test', '--password', 'owner password 2')).code,
    ).toBe(1);
    await signIn({ app }, { email: 'boss@example.test', password: 'owner password 1' });

    const member = await guildhall(
      'user',
      'create',
      '--email',
      'm@example.test',
      '--password',
      'member password 1',
    );
    expect(member.stdout).toContain('m@example.test (member) created');
    const admin = await guildhall(
      'user',
      'create',
      '--email',
      'a@example.test',
      '--password',
      'admin password 1',
      '--role',
      'admin',
    );
    expect(admin.stdout).toContain('(admin)');
    expect(
      (
        await guildhall(
          'user',
          'create',
          '--email',
          'z@example.test',
          '--password',
          'p4ssword!!',
          '--role',
          'owner',
        )
      ).code,
    ).toBe(1);
    const memberSession = await signIn({ app }, { email: 'm@example.test', password: 'member password 1' });
    expect((await memberSession.get('/api/v1/me')).json().role).toBe('member');

    const link = await guildhall('user', 'login-link', '--email', 'boss@example.test');
    const token = /token=([A-Za-z0-9_-]+)/.exec(link.stdout)?.[1];
    expect(token).toBeTruthy();
    const browser = client({ app });
    expect((await browser.post('/api/v1/auth/magic-link/verify', { token })).statusCode).toBe(200);
    expect((await browser.get('/api/v1/me')).json().email).toBe('boss@example.test');
    expect((await guildhall('user', 'login-link', '--email', 'ghost@example.test')).code).toBe(1);

    const key = (await guildhall('api-key', 'create', '--name', 'ci')).stdout.split('\n')[0]?.trim() ?? '';
    expect(key).toMatch(/^gh_/);
    expect((await client({ app }, { apiKey: key }).get('/api/v1/me')).json().email).toBe('boss@example.test');
    const adminKey =
      (await guildhall('api-key', 'create', '--name', 'ops', '--user', 'a@example.test')).stdout
        .split('\n')[0]
        ?.trim() ?? '';
    expect((await client({ app }, { apiKey: adminKey }).get('/api/v1/me')).json().email).toBe(
      'a@example.test',
    );
    expect((await guildhall('api-key', 'create', '--name', 'x', '--user', 'm@example.test')).code).toBe(1);

    expect((await guildhall('nonsense')).code).toBe(1);
    expect((await guildhall('--help')).stdout).toContain('Usage: guildhall');
  }, 120_000);
});
