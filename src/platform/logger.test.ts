import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, RequestLogger, requestLogger } from './logger.ts';

function capturing(level: 'info' | 'warn') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ logLevel: level }, destination), lines };
}

describe('a request logger', () => {
  it('makes no child while nothing is written at a level the parent writes', () => {
    const { logger, lines } = capturing('warn');
    let children = 0;
    const counted = Object.assign(Object.create(logger), {
      child: (...args: Parameters<typeof logger.child>) => {
        children += 1;
        return logger.child(...args);
      },
    });
    const log = requestLogger(counted, { reqId: 'r1' }, {});
    expect(log).toBeInstanceOf(RequestLogger);
    log.info('not written');
    log.debug({ a: 1 }, 'not written either');
    expect(children).toBe(0);
    expect(lines).toEqual([]);
    log.warn({ path: '/x' }, 'written');
    log.error('once more');
    expect(children).toBe(1);
    expect(lines.map(({ reqId, msg, path }) => ({ reqId, msg, path }))).toEqual([
      { reqId: 'r1', msg: 'written', path: '/x' },
      { reqId: 'r1', msg: 'once more', path: undefined },
    ]);
  });

  it("writes what pino would, redaction included, with the request's bindings", () => {
    const { logger, lines } = capturing('info');
    const log = requestLogger(logger, { reqId: 'r2' }, {});
    log.info({ token: 'secret', user: { password: 'hunter2' } }, 'signed in %s', 'ann');
    expect(lines[0]).toMatchObject({
      reqId: 'r2',
      msg: 'signed in ann',
      token: '[redacted]',
      user: { password: '[redacted]' },
    });
    expect((log as unknown as RequestLogger).isLevelEnabled('debug')).toBe(false);
    expect(log.level).toBe('info');
    log.child({ job: 'j1' }).info('from a child');
    expect(lines[1]).toMatchObject({ reqId: 'r2', job: 'j1', msg: 'from a child' });
  });

  it("is pino's own child when the route sets its own level", () => {
    const { logger, lines } = capturing('warn');
    const log = requestLogger(logger, { reqId: 'r3' }, { level: 'info' });
    expect(log).not.toBeInstanceOf(RequestLogger);
    log.info('a route that logs more');
    expect(lines[0]).toMatchObject({ reqId: 'r3', msg: 'a route that logs more' });
  });
});
