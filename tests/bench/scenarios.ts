// What `npm run bench` measures. A scenario names the server it runs against, builds its request from
// the seeded fixture (and may write the rows it needs through `fixture.db`), and checks one response
// before it is timed, so a fast error is never reported as a fast page. Add new ones to the list.
import type { Fixture } from './dataset.ts';

export interface BenchRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface ScenarioBase {
  /** The row label, e.g. `GET /healthz`. */
  name: string;
  /** One line for docs/performance.md: what the number tells. */
  measures: string;
  /** Answers why a sample response is wrong, or null when it is the expected one. */
  check(status: number, body: string): string | null;
}

export interface BaselineScenario extends ScenarioBase {
  server: 'baseline';
  request: BenchRequest;
}

export interface GuildhallScenario extends ScenarioBase {
  server: 'guildhall';
  setup(fixture: Fixture): Promise<BenchRequest> | BenchRequest;
}

export type Scenario = BaselineScenario | GuildhallScenario;

function expectJson(status: number, body: string, test: (value: unknown) => boolean): string | null {
  if (status !== 200) return `status ${status}: ${body.slice(0, 200)}`;
  try {
    return test(JSON.parse(body)) ? null : `unexpected body: ${body.slice(0, 200)}`;
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
}

export const scenarios: Scenario[] = [
  {
    server: 'baseline',
    name: 'hello world GET /',
    measures: 'The ceiling: Fastify answering a constant JSON object, no database, no hooks.',
    request: { path: '/' },
    check: (status, body) =>
      expectJson(status, body, (value) => (value as { hello?: string }).hello === 'world'),
  },
  {
    server: 'guildhall',
    name: 'GET /healthz',
    measures:
      "Guildhall's fixed cost per request: every global hook (request id, security headers, cookies, " +
      'credential lookup with none given) plus one `select 1`.',
    setup: () => ({ path: '/healthz' }),
    check: (status, body) =>
      expectJson(status, body, (value) => (value as { status?: string }).status === 'ok'),
  },
  {
    server: 'guildhall',
    name: 'GET /api/v1/me (API key)',
    measures:
      'An authenticated API read among many users: the key is hashed and looked up with its user, ' +
      'the user is read and presented.',
    setup: (fixture) => ({
      path: '/api/v1/me',
      headers: { authorization: `Bearer ${fixture.ownerApiKey}` },
    }),
    check: (status, body) =>
      expectJson(status, body, (value) => (value as { email?: string }).email === 'owner@bench.test'),
  },
];
