// Guildhall as `start` runs it (startServer: migrate, listen), configured only from the environment
// the benchmark hands over, so a developer's `.env` or shell never changes what is measured. With
// PROCESSES above 1 in that environment, as `start --processes N` runs it: a primary and N web processes.
import { loadConfig } from '../../src/config.ts';
import { isWebProcess, runPrimary, runWebProcess } from '../../src/processes.ts';
import { startServer } from '../../src/server.ts';
import { CHILD_ENV_VARIABLE, serveUntilStopped } from './servers.ts';

const env = JSON.parse(process.env[CHILD_ENV_VARIABLE] ?? '{}') as Record<string, string>;
const config = loadConfig(env);
if (isWebProcess()) {
  await runWebProcess(config);
  process.exit(0);
} else if ((config.processes ?? 1) > 1) {
  const primary = runPrimary(config, config.processes ?? 1, {
    out: () => {},
    err: (text) => process.stderr.write(text),
  });
  serveUntilStopped(await primary.ready, async () => {
    primary.stop();
    await primary.finished;
  });
} else {
  const server = await startServer(config);
  serveUntilStopped(server.url, () => server.close());
}
