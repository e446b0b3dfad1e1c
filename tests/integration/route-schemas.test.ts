// Every route's schemas compile. The server compiles each schema on its route's first use
// (src/platform/http/lazy-compilers.ts), so a schema Ajv or fast-json-stringify refuses would otherwise
// surface only as a 500 on that route's first request.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { lazySchemas } from '../../src/platform/http/lazy-compilers.ts';
import { createTestDatabase } from '../support/test-app.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let built: Awaited<ReturnType<typeof buildApp>>;

beforeAll(async () => {
  database = await createTestDatabase();
  built = await buildApp({ config: database.config, db: database.db, engine: database.engine });
  await built.app.ready();
});
afterAll(async () => {
  await built.app.close();
  await database.cleanup();
});

describe('route schemas', () => {
  it('validate on first use as they did when compiled at start, and all compile, requests and responses', async () => {
    const response = await built.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'someone@example.test' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    expect(JSON.stringify(response.json().error)).toContain('password');
    // The sign-in body is compiled now; the rest wait for their first request.
    expect(built.compileAllSchemas()).toBeGreaterThan(300);
    expect(built.compileAllSchemas()).toBe(0);
  });

  it('refuses at start a header schema whose names Fastify would not lower-case for it', async () => {
    const app = Fastify({ schemaController: lazySchemas().controller });
    app.get(
      '/h',
      { schema: { headers: { type: 'object', properties: { 'X-Token': { type: 'string' } } } } },
      async () => ({}),
    );
    await expect(app.ready()).rejects.toThrow(/write the header X-Token in lower case/);
  });

  it('refuses one named only among the required', async () => {
    const app = Fastify({ schemaController: lazySchemas().controller });
    app.get('/h', { schema: { headers: { type: 'object', required: ['X-Token'] } } }, async () => ({}));
    await expect(app.ready()).rejects.toThrow(/write the header X-Token in lower case/);
  });
});
