// Guildhall as `start` runs it (startServer: migrate, listen), configured only from the environment
// the benchmark hands over, so a developer's `.env` or shell never changes what is measured.
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';
import { CHILD_ENV_VARIABLE, serveUntilStopped } from './servers.ts';

const env = JSON.parse(process.env[CHILD_ENV_VARIABLE] ?? '{}') as Record<string, string>;
const server = await startServer(loadConfig(env));
serveUntilStopped(server.url, () => server.close());
