// One real Guildhall per browser-test file: a fresh data directory, a free port, the built SPA, the job
// worker running, and mail going to a real SMTP server in the test process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '../../src/server.ts';
import { freePort } from './processes.ts';
import { startSmtpServer, type TestSmtp } from './smtp.ts';
import { testConfig } from './test-app.ts';

export interface E2eServer {
  server: RunningServer;
  baseUrl: string;
  smtp: TestSmtp;
  close(): Promise<void>;
}

export async function startE2eServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'guildhall-e2e-'));
  const smtp = await startSmtpServer();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = await startServer(
    testConfig(dataDir, {
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      SMTP_URL: smtp.url,
      RUN_WORKER: 'true',
      ...env,
    }),
  );
  return {
    server,
    baseUrl,
    smtp,
    async close() {
      await server.close();
      await smtp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
