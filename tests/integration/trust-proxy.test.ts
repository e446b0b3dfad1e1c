// TRUST_PROXY decides which address is the client's (rate limits, sessions, logs): the proxy's own when
// it is off, the forwarded one when the proxy is trusted — by hop count or by address.
import { afterAll, describe, expect, it } from 'vitest';
import { createMember, DEFAULT_PASSWORD } from '../support/factories.ts';
import { createTestContext, type TestContext } from '../support/test-app.ts';

const contexts: TestContext[] = [];
afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
});

/** Signs in through a "proxy" at 127.0.0.1 that says the client is 198.51.100.9; answers the session's IP. */
async function sessionIpWith(trustProxy: string, forwardedFor = '198.51.100.9'): Promise<string | null> {
  const ctx = await createTestContext({ env: { TRUST_PROXY: trustProxy } });
  contexts.push(ctx);
  const member = await createMember(ctx);
  const response = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: '127.0.0.1',
    headers: { origin: ctx.config.publicUrl, 'x-forwarded-for': forwardedFor },
    payload: { email: member.email, password: DEFAULT_PASSWORD },
  });
  expect(response.statusCode).toBe(200);
  const session = await ctx.db
    .selectFrom('sessions')
    .select('ip')
    .where('userId', '=', member.id)
    .executeTakeFirstOrThrow();
  return session.ip;
}

describe('TRUST_PROXY', () => {
  it('off: the address that connected; a hop count or the proxy’s address: the forwarded one', async () => {
    expect(await sessionIpWith('false')).toBe('127.0.0.1');
    expect(await sessionIpWith('1')).toBe('198.51.100.9');
    expect(await sessionIpWith('127.0.0.1')).toBe('198.51.100.9');
    expect(await sessionIpWith('10.0.0.1')).toBe('127.0.0.1');
    // A client's own claim in front of what the proxy added counts for nothing with one hop trusted.
    expect(await sessionIpWith('1', '203.0.113.66, 198.51.100.9')).toBe('198.51.100.9');
  });
});
