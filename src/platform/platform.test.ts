import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { maskSmtpUrl } from '../modules/settings/index.ts';
import { defaultProcessCount } from '../processes.ts';
import { manualClock } from './clock.ts';
import { createSealer } from './crypto.ts';
import { retryingConflicts } from './db/database.ts';
import { RateLimitedError, stillThere, ValidationError } from './errors.ts';
import { toFieldProblems } from './http/errors.ts';
import { createMemoryRateLimiter } from './http/rate-limit.ts';
import { backoffMs } from './jobs.ts';
import { decodeCursor, encodeCursor, pageOf } from './pagination.ts';

describe('cursors', () => {
  it('round-trip and refuse tampering with a validation error on `cursor`', () => {
    const cursor = encodeCursor({ at: 1700000000000, id: 'abc' });
    expect(decodeCursor(cursor)).toEqual({ at: 1700000000000, id: 'abc' });
    expect(decodeCursor(undefined)).toBeNull();
    expect(() => decodeCursor('garbage!')).toThrow(ValidationError);
    expect(() => decodeCursor(Buffer.from('["x",1]').toString('base64url'))).toThrow(/cursor/);
  });

  it('pages limit+1 rows into a page and a next cursor', () => {
    const rows = [1, 2, 3].map((n) => ({ at: n, id: String(n) }));
    expect(pageOf(rows, 2, (r) => r)).toEqual({ data: rows.slice(0, 2), nextCursor: encodeCursor(rows[1]!) });
    expect(pageOf(rows, 3, (r) => r).nextCursor).toBeNull();
  });
});

describe('rate limits', () => {
  it('allow the limit in a window, refuse past it with the wait, reset after', async () => {
    const clock = manualClock();
    const limiter = createMemoryRateLimiter(clock);
    for (let i = 0; i < 3; i += 1) await limiter.hit('k', 3, 60_000);
    await expect(limiter.hit('k', 3, 60_000)).rejects.toThrow(RateLimitedError);
    clock.advance(30_000);
    const refused = await limiter.hit('k', 3, 60_000).catch((error: unknown) => error);
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(30);
    clock.advance(30_000);
    await expect(limiter.hit('k', 3, 60_000)).resolves.toBeUndefined();
    await limiter.reset('k');
    expect(await limiter.count('k')).toBe(0);
  });

  it('check counts nothing; record counts without a limit', async () => {
    const clock = manualClock();
    const limiter = createMemoryRateLimiter(clock);
    for (let i = 0; i < 5; i += 1) await limiter.check('fail', 3);
    for (let i = 0; i < 3; i += 1) await limiter.record('fail', 60_000);
    await expect(limiter.check('fail', 3)).rejects.toThrow(RateLimitedError);
    await expect(limiter.check('fail', 4)).resolves.toBeUndefined();
    clock.advance(60_000);
    await expect(limiter.check('fail', 3)).resolves.toBeUndefined();
  });
});

describe('job backoff', () => {
  it('doubles from 5 seconds and caps at an hour', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffMs(30)).toBe(3_600_000);
  });
});

describe('schema errors', () => {
  it('name the field for missing, extra and bad values', () => {
    expect(
      toFieldProblems([
        { instancePath: '', keyword: 'required', params: { missingProperty: 'email' } },
        {
          instancePath: '/pricing/amountMinor',
          keyword: 'minimum',
          params: { limit: 0 },
          message: 'must be >= 0',
        },
        { instancePath: '/title', keyword: 'maxLength', params: { limit: 200 } },
        { instancePath: '/pricing/amountMinor', keyword: 'type', message: 'must be integer' },
      ]),
    ).toEqual([
      { field: 'email', message: 'is required' },
      { field: 'pricing.amountMinor', message: 'must be at least 0' },
      { field: 'title', message: 'must be at most 200 characters' },
    ]);
  });
});

describe('secrets at rest', () => {
  it('seal and open with the app secret, and fail with another', () => {
    const sealed = createSealer('a'.repeat(40)).seal('smtp://u:p@h');
    expect(sealed).not.toContain('smtp');
    expect(createSealer('a'.repeat(40)).open(sealed)).toBe('smtp://u:p@h');
    expect(() => createSealer('b'.repeat(40)).open(sealed)).toThrow();
  });

  it('mask SMTP passwords for display', () => {
    expect(maskSmtpUrl('smtps://me:pw@mail.test:465')).toBe('smtps://me:****@mail.test:465');
    expect(maskSmtpUrl('smtp://mail.test:25')).toBe('smtp://mail.test:25');
    expect(maskSmtpUrl(null)).toBeNull();
  });
});

describe('configuration', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'guildhall-config-'));

  it('works with no settings at all, generating and then reusing a secret', () => {
    const dataDir = dir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      secureCookies: false,
      passwordHashCost: 19_456,
    });
    expect(config.database).toEqual({
      kind: 'sqlite',
      file: join(dataDir, 'guildhall.sqlite'),
      inProcessCache: true,
    });
    expect(config.appSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dataDir }).appSecret).toBe(config.appSecret);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every bad key in one error', () => {
    try {
      loadConfig({
        DATA_DIR: dir(),
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        APP_SECRET: 'short',
        LOG_LEVEL: 'loud',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const key of ['PORT', 'DATABASE_URL', 'APP_SECRET', 'LOG_LEVEL']) expect(message).toContain(key);
    }
  });

  it('takes a URL only with its scheme written out, trimmed', () => {
    const config = loadConfig({ DATA_DIR: dir(), PUBLIC_URL: ' https://club.example ' });
    expect(config.publicUrl).toBe('https://club.example');
    expect(config.secureCookies).toBe(true);
    for (const PUBLIC_URL of [
      'https:club.example',
      'HTTPS://club.example',
      'ftp://club.example',
      'https://',
    ]) {
      expect(() => loadConfig({ DATA_DIR: dir(), PUBLIC_URL }), PUBLIC_URL).toThrow(/PUBLIC_URL/);
    }
  });

  it('reads TRUST_PROXY as a flag, a hop count or addresses, and refuses anything else by name', () => {
    const trusted = (TRUST_PROXY: string) => loadConfig({ DATA_DIR: dir(), TRUST_PROXY }).trustProxy;
    expect(trusted('TRUE')).toBe(true);
    expect(trusted('no')).toBe(false);
    expect(trusted('0')).toBe(false);
    expect(trusted('2')).toBe(2);
    expect(trusted('10.0.0.2, 10.0.0.0/8,::1,loopback')).toBe('10.0.0.2,10.0.0.0/8,::1,loopback');
    // A netmask range, as Fastify's proxy-addr takes it.
    expect(trusted('10.0.0.0/255.0.0.0')).toBe('10.0.0.0/255.0.0.0');
    for (const TRUST_PROXY of ['nginx', '10.0.0.2,', '10.0.0.0/33', '::1/129', '1.2.3']) {
      expect(() => loadConfig({ DATA_DIR: dir(), TRUST_PROXY }), TRUST_PROXY).toThrow(
        /TRUST_PROXY: must be true, false, a hop count/,
      );
    }
  });

  it('reads PostgreSQL, https and proxy settings', () => {
    const config = loadConfig({
      DATA_DIR: dir(),
      DATABASE_URL: 'postgres://u@db/guildhall',
      PUBLIC_URL: 'https://club.example/',
      TRUST_PROXY: '1',
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db/guildhall',
      preparedStatements: true,
      inProcessCache: true,
    });
    expect(config.publicUrl).toBe('https://club.example');
    expect(config.secureCookies).toBe(true);
    expect(config.trustProxy).toBe(1);
    const pooled = loadConfig({
      DATA_DIR: dir(),
      DATABASE_URL: 'postgres://u@pgbouncer/guildhall',
      DATABASE_PREPARED_STATEMENTS: 'false',
      DATABASE_LISTEN_URL: 'postgres://u@db/guildhall',
      IN_PROCESS_CACHE: 'false',
    });
    expect(pooled.database).toMatchObject({
      preparedStatements: false,
      listenUrl: 'postgres://u@db/guildhall',
      inProcessCache: false,
    });
  });
});

describe('files at rest', () => {
  it('makes the data directory 0700 and the SQLite files 0600, tightening an existing directory', async () => {
    const { chmodSync, mkdirSync, statSync } = await import('node:fs');
    const { openDatabase } = await import('./db/database.ts');
    const dataDir = join(mkdtempSync(join(tmpdir(), 'guildhall-perm-')), 'data');
    const config = loadConfig({ DATA_DIR: dataDir, APP_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    if (config.database.kind !== 'sqlite') throw new Error('expected SQLite');
    const { db } = await openDatabase(config.database);
    await db.schema.createTable('t').addColumn('x', 'integer').execute();
    for (const file of [config.database.file, `${config.database.file}-wal`, `${config.database.file}-shm`]) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
    }
    await db.destroy();

    const older = join(mkdtempSync(join(tmpdir(), 'guildhall-perm-')), 'old');
    mkdirSync(older, { mode: 0o755 });
    chmodSync(older, 0o755);
    loadConfig({ DATA_DIR: older, LOG_LEVEL: 'silent' });
    expect(statSync(older).mode & 0o777).toBe(0o700);
    expect(statSync(join(older, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});

describe('a row read back after a change', () => {
  it('is answered, or a 404 naming what went away meanwhile', () => {
    expect(stillThere({ id: 'p1' }, 'post')).toEqual({ id: 'p1' });
    expect(() => stillThere(undefined, 'post')).toThrow(
      expect.objectContaining({ status: 404, message: 'The post is gone.' }),
    );
  });
});

describe('the default number of web processes', () => {
  const cores = availableParallelism();
  const files = (entries: Record<string, string>) => (file: string) => entries[file] ?? null;

  it('is one per core, capped by a container’s CPU quota (cgroup v2 or v1), never below one', () => {
    expect(defaultProcessCount(files({}))).toBe(cores);
    expect(defaultProcessCount(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBe(cores);
    expect(defaultProcessCount(files({ '/sys/fs/cgroup/cpu.max': '100000 100000\n' }))).toBe(1);
    expect(defaultProcessCount(files({ '/sys/fs/cgroup/cpu.max': '50000 100000\n' }))).toBe(1);
    expect(defaultProcessCount(files({ '/sys/fs/cgroup/cpu.max': `${cores * 400000} 100000` }))).toBe(cores);
    expect(
      defaultProcessCount(
        files({
          '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
        }),
      ),
    ).toBe(1);
    expect(defaultProcessCount(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n' }))).toBe(cores);
  });
});

describe('transactions aborted for another', () => {
  const failing = (code: string, times: number) => {
    let calls = 0;
    const work = async () => {
      calls += 1;
      if (calls <= times) throw Object.assign(new Error(`aborted (${code})`), { code });
      return calls;
    };
    return { work, calls: () => calls };
  };

  it('run again after a deadlock, a serialization failure or a busy SQLite, up to three times', async () => {
    for (const code of ['40P01', '40001', 'SQLITE_BUSY']) {
      const twice = failing(code, 2);
      expect(await retryingConflicts(twice.work)).toBe(3);
      const always = failing(code, 5);
      await expect(retryingConflicts(always.work)).rejects.toThrow(code);
      expect(always.calls()).toBe(3);
    }
  });

  it('never run again for any other error', async () => {
    const unique = failing('23505', 1);
    await expect(retryingConflicts(unique.work)).rejects.toThrow('23505');
    expect(unique.calls()).toBe(1);
  });
});
