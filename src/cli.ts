// The `guildhall` command's commands: start, worker, migrate, create-owner, user …, api-key …,
// stripe-emulator. Every command works on the same data as the server (DATA_DIR / DATABASE_URL), also
// while it runs. It writes only through `io` and reads only `io.env`, so tests run it in-process.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { AppError } from './platform/errors.ts';
import type { Services } from './services.ts';

// The database, the services and the logger are loaded by the commands that use them: the primary of
// `start --processes N` only supervises its processes, and stays smaller (57 MB here, not 95).
const database = () => import('./platform/db/database.ts');

/** The services on an open, migrated database. */
async function openServices(
  config: ReturnType<typeof loadConfig>,
  options: { poolSize?: number; quiet?: boolean },
) {
  const [{ migrateToLatest, openDatabase }, { buildServices }, { createLogger }] = await Promise.all([
    database(),
    import('./services.ts'),
    import('./platform/logger.ts'),
  ]);
  const { db, engine } = await openDatabase(
    config.database,
    options.poolSize ? { poolSize: options.poolSize } : {},
  );
  await migrateToLatest(db);
  const logger = options.quiet ? { logger: createLogger({ logLevel: 'warn' }) } : {};
  return { db, services: buildServices({ config, db, engine, ...logger }) };
}

const HELP = `Usage: guildhall <command> [options]

Commands:
  start [--processes N]               Run the web server on N processes (default: one per core, or
                                      PROCESSES) and the job worker in one (unless RUN_WORKER=false)
  demo                                A sample community on an offline Stripe (fresh each time, in ./data-demo)
  worker                              Run only the job worker
  migrate                             Apply database migrations
  create-owner --email E --password P [--name N]
  user create --email E --password P [--name N] [--role member|admin]
  user login-link --email E           Print a one-time sign-in link (15 minutes)
  api-key create --name N [--user E]  Print a new API key once (acts as the owner, or as admin E)
  stripe reconcile [--dry-run]       Compare every purchase with Stripe and repair what differs
  stripe-emulator [--port 12111] [--host 127.0.0.1]
                                      Run the offline Stripe emulator

Configuration comes from the environment or .env (see README).`;

/** Where a command reads its configuration and writes what it says. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

/** A command refused (bad usage, bad input): its message is the whole answer, exit code 1. */
class CliFailure extends Error {}

function fail(message: string): never {
  throw new CliFailure(message);
}

function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 64)
    fail(`${name}: must be a whole number from 1 to 64`);
  return number;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

async function withServices<T>(env: NodeJS.ProcessEnv, run: (services: Services) => Promise<T>): Promise<T> {
  const { db, services } = await openServices(loadConfig(env), { poolSize: 2, quiet: true });
  try {
    return await run(services);
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[], io: CliIo): Promise<void> {
  const [command, sub] = argv;
  if (command === '--help' || command === '-h') {
    io.out(`${HELP}\n`);
    return;
  }
  const { values } = parseArgs({
    args: argv.slice(command === 'user' || command === 'api-key' || command === 'stripe' ? 2 : 1),
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      user: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      processes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'dry-run': { type: 'boolean' },
    },
    strict: true,
  });
  if (!command || values.help || command === 'help') {
    io.out(`${HELP}\n`);
    return;
  }

  switch (command) {
    case 'start': {
      const config = loadConfig(io.env);
      const { defaultProcessCount, isWebProcess, runPrimary, runWebProcess } = await import('./processes.ts');
      if (isWebProcess()) {
        await runWebProcess(config);
        return;
      }
      const count = values.processes
        ? positiveInteger('--processes', values.processes)
        : (config.processes ?? defaultProcessCount());
      if (count > 1) {
        const code = await runPrimary(config, count, io).finished;
        if (code !== 0) fail('guildhall: stopped because a process could not start (see the log above)');
        return;
      }
      const { closeOnSignal, startServer } = await import('./server.ts');
      const server = await startServer(config);
      server.app.log.info(
        { url: config.publicUrl, database: config.database.kind },
        'Guildhall is listening',
      );
      io.out(`\nGuildhall is running at ${config.publicUrl}\n`);
      if (server.setupUrl) io.out(`\nFinish setting up: open ${server.setupUrl}\n\n`);
      const signal = await closeOnSignal(server);
      server.app.log.info({ signal }, 'stopped');
      return;
    }
    case 'demo': {
      // Its own data directory, always SQLite, made afresh: the emulator keeps nothing between runs,
      // so a demo never points at Stripe objects that are gone, and never touches real data.
      const { rmSync } = await import('node:fs');
      const dataDir = io.env.DEMO_DATA_DIR ?? './data-demo';
      rmSync(dataDir, { recursive: true, force: true });
      const { startStripeEmulator } = await import('../tools/stripe-emulator/index.ts');
      const emulator = await startStripeEmulator({
        port: values.port ? Number(values.port) : 12111,
        webhookRetryDelaysMs: [1_000, 2_000, 5_000],
      });
      const { DATABASE_URL: _ignored, ...env } = io.env;
      const config = loadConfig({
        LOG_LEVEL: 'warn',
        ...env,
        DATA_DIR: dataDir,
        STRIPE_API_URL: emulator.url,
        DEMO: 'true',
      });
      const { closeOnSignal, startServer } = await import('./server.ts');
      const server = await startServer(config);
      const { DEMO_OWNER, seedDemo } = await import('./demo.ts');
      const { offers } = await seedDemo(server.services);
      const paid = offers.find((offer) => offer.title === 'Morning Yoga');
      io.out(
        [
          '',
          `Guildhall demo at ${config.publicUrl} (payments go to an offline Stripe at ${emulator.url})`,
          '',
          `  Buy a $0.50 membership: ${config.publicUrl}/offers/${paid?.slug ?? ''}`,
          '  Pay with the test card 4242 4242 4242 4242, any future date, any CVC; use any email.',
          '  (4000 0000 0000 0002 is declined; 4000 0025 0000 3155 asks for 3D Secure.)',
          '',
          `  The creator's side: ${config.publicUrl}/login as ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`,
          '  Emails are not sent: read them in Dashboard → Emails.',
          '',
          'Ctrl+C stops it; the next run starts afresh.',
          '',
        ].join('\n'),
      );
      await closeOnSignal(server);
      await emulator.close();
      return;
    }
    case 'worker': {
      const { db, services } = await openServices(loadConfig(io.env), {});
      await services.scheduleDailyJobs(db);
      services.worker.start();
      services.logger.info('worker started');
      io.out('\nGuildhall worker running: jobs only, no web server\n');
      await waitForSignal();
      await services.worker.stop();
      await db.destroy();
      return;
    }
    case 'migrate': {
      const config = loadConfig(io.env);
      const { migrateToLatest, openDatabase } = await database();
      const { db } = await openDatabase(config.database, { poolSize: 1 });
      const applied = await migrateToLatest(db);
      await db.destroy();
      io.out(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Already up to date.\n');
      return;
    }
    case 'create-owner': {
      if (!values.email || !values.password) fail('create-owner needs --email and --password.');
      const user = await withServices(io.env, (s) =>
        s.auth.createOwner({
          email: values.email!,
          password: values.password!,
          ...(values.name ? { name: values.name } : {}),
        }),
      );
      io.out(`Owner ${user.email} created.\n`);
      return;
    }
    case 'user': {
      if (sub === 'create') {
        if (!values.email || !values.password) fail('user create needs --email and --password.');
        const role = values.role ?? 'member';
        if (role !== 'member' && role !== 'admin') fail('--role must be member or admin.');
        const user = await withServices(io.env, async (s) =>
          s.users.createUser(await s.users.operatorActor(), {
            email: values.email!,
            password: values.password!,
            role,
            ...(values.name ? { name: values.name } : {}),
          }),
        );
        io.out(`User ${user.email} (${user.role}) created.\n`);
        return;
      }
      if (sub === 'login-link') {
        if (!values.email) fail('user login-link needs --email.');
        const link = await withServices(io.env, (s) => s.auth.createLoginLink(values.email!));
        io.out(`${link}\n(works once, for 15 minutes)\n`);
        return;
      }
      fail('Usage: guildhall user create|login-link …');
      break;
    }
    case 'api-key': {
      if (sub !== 'create' || !values.name) fail('Usage: guildhall api-key create --name N [--user E]');
      const key = await withServices(io.env, async (s) => {
        const actor = await s.users.operatorActor(values.user);
        return s.users.createApiKey(actor, { name: values.name! });
      });
      io.out(`${key.key}\n(acts as ${key.apiKey.userEmail}; store it now, it is not shown again)\n`);
      return;
    }
    case 'stripe': {
      if (sub !== 'reconcile') fail('Usage: guildhall stripe reconcile [--dry-run]');
      const dryRun = values['dry-run'] === true;
      const result = await withServices(io.env, (s) => s.billing.reconcile({ dryRun }));
      for (const d of result.differences) io.out(`${d.purchaseId}  ${d.email}  ${d.what}\n`);
      io.out(
        `Checked ${result.checked} purchases; ${result.differences.length} ${dryRun ? 'would be repaired' : 'repaired'}.\n`,
      );
      return;
    }
    case 'stripe-emulator': {
      const { startStripeEmulator } = await import('../tools/stripe-emulator/index.ts');
      const emulator = await startStripeEmulator({
        port: values.port ? Number(values.port) : 12111,
        host: values.host ?? '127.0.0.1',
        log: (line) => io.out(`${line}\n`),
      });
      io.out(
        `Stripe emulator at ${emulator.url} (point Guildhall at it with STRIPE_API_URL=${emulator.url})\n`,
      );
      await waitForSignal();
      await emulator.close();
      return;
    }
    default:
      fail(`Unknown command "${command}".\n\n${HELP}`);
  }
}

/** Runs one command; answers its exit code. Refusals and errors are written to `io.err`. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await main(argv, io);
    return 0;
  } catch (error) {
    if (error instanceof CliFailure || error instanceof ConfigError) {
      io.err(`${error.message}\n`);
      return 1;
    }
    if (error instanceof AppError) {
      const fields = (error.details as { fields?: { field: string; message: string }[] } | undefined)?.fields;
      io.err(
        `${fields?.length ? fields.map((f) => `--${f.field}: ${f.message}`).join('\n') : error.message}\n`,
      );
      return 1;
    }
    io.err(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
