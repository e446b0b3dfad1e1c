// `guildhall start --processes N`: N web processes on one port (node:cluster: the primary opens the
// listening socket, every process accepts from it). The first process migrates the database, issues the
// setup link and runs the job worker; the others start once it listens. A process that dies (a crash, a
// SIGKILL, the OOM killer) is started again in its place while the others keep serving; SIGTERM or
// SIGINT stops them all gracefully. With more than one process, rate limits are counted in a shared store
// (src/platform/shared-store.ts): Redis with REDIS_URL, else the database.
import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Config } from './config.ts';

const INDEX_VARIABLE = 'GUILDHALL_PROCESS_INDEX';
const RESTARTED_VARIABLE = 'GUILDHALL_PROCESS_RESTARTED';
/** A process still draining this long after it was told to stop is killed. */
const STOP_DEADLINE_MS = 30_000;

/** What a web process tells the primary. */
type Message = { type: 'listening'; url: string; setupUrl: string | null };

export interface ProcessesIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * How many web processes `start` runs by default: one per core this process may use — the cores it may
 * run on, capped by a container's CPU quota (cgroup v2 `cpu.max` or v1 `cfs_quota_us`), which Node's
 * count does not see.
 */
export function defaultProcessCount(read: (file: string) => string | null = readOrNull): number {
  const cores = availableParallelism();
  const v2 = read('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/);
  const v1 = [read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')];
  const [quota, period] = v2 && v2[0] !== 'max' ? v2.map(Number) : v1.map((value) => Number(value?.trim()));
  if (quota && period && quota > 0 && period > 0)
    return Math.max(1, Math.min(cores, Math.ceil(quota / period)));
  return cores;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** True in a web process the primary started. */
export function isWebProcess(): boolean {
  return cluster.isWorker && process.env[INDEX_VARIABLE] !== undefined;
}

/**
 * One web process: the server as `start` runs it, the job worker only in the first. Resolves when it
 * has stopped on a signal.
 */
export async function runWebProcess(config: Readonly<Config>): Promise<void> {
  const index = Number(process.env[INDEX_VARIABLE]);
  // Ctrl+C reaches every process of the terminal's group, and the primary then sends each a SIGTERM:
  // a second signal must not end a process that is letting its requests finish, and a signal that
  // comes while it is still starting must not be lost (it stops as soon as it has started).
  let stopAsked: NodeJS.Signals | null = null;
  const remember = (signal: NodeJS.Signals) => {
    stopAsked ??= signal;
  };
  process.on('SIGINT', remember);
  process.on('SIGTERM', remember);
  const { closeOnSignal, startServer } = await import('./server.ts');
  const server = await startServer(
    { ...config, runWorker: config.runWorker && index === 0 },
    // The setup link is issued once: a restarted first process keeps the one printed.
    { issueSetupCode: index === 0 && process.env[RESTARTED_VARIABLE] !== '1' },
  );
  const message: Message = { type: 'listening', url: server.url, setupUrl: server.setupUrl };
  process.send?.(message);
  let signal: NodeJS.Signals;
  if (stopAsked) {
    await server.close();
    signal = stopAsked;
  } else {
    signal = await closeOnSignal(server);
  }
  server.app.log.info({ signal, process: index }, 'stopped');
}

export interface Primary {
  /** The URL the processes listen on, once every one of them listens. */
  ready: Promise<string>;
  /** The exit code, once every process has stopped: 0, or 1 when one kept failing to start. */
  finished: Promise<number>;
  /** The pids of the web processes now running. */
  pids(): number[];
  /** Stops every process gracefully (what SIGTERM and SIGINT do). */
  stop(): void;
}

/** The primary: starts `count` web processes, restarts any that dies, stops them all on a signal. */
export function runPrimary(config: Readonly<Config>, count: number, io: ProcessesIo): Primary {
  const byIndex = new Map<number, Worker>();
  /** Per process: exits in a row that came soon after its start, for the restart's back-off. */
  const quickExits = new Map<number, number>();
  let everReady = false;
  let stopping = false;
  let exitCode = 0;
  let listening = 0;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let becomeReady: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    becomeReady = resolve;
  });

  // Each process accepts from the shared listening socket itself. With the primary handing out
  // connections (round-robin, Node's default) a connection handed to a process as it dies is never
  // answered; here the kernel only queues to processes that are alive to accept.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const fork = (index: number, restarted = false): Worker => {
    const worker = cluster.fork({
      [INDEX_VARIABLE]: String(index),
      [RESTARTED_VARIABLE]: restarted ? '1' : '0',
      PROCESSES: String(count),
    });
    byIndex.set(index, worker);
    const startedAt = Date.now();
    let listened = false;
    worker.on('message', (message: Message) => {
      if (message?.type !== 'listening') return;
      listened = true;
      listening += 1;
      if (listening > count) io.err(`guildhall: process ${index} is back\n`);
      if (index === 0 && listening === 1) {
        // The first process has migrated the database: the others may start.
        for (let other = 1; other < count; other += 1) fork(other);
        if (message.setupUrl) io.out(`\nFinish setting up: open ${message.setupUrl}\n\n`);
      }
      if (listening === count) {
        everReady = true;
        io.out(`\nGuildhall is running at ${config.publicUrl} (${count} processes)\n`);
        becomeReady(message.url);
      }
    });
    worker.on('exit', (code, signal) => {
      if (byIndex.get(index) === worker) byIndex.delete(index);
      if (stopping || (code === 0 && !signal)) {
        if (byIndex.size === 0) finish(exitCode);
        return;
      }
      // A process that dies soon after it started is started again later each time (a crash at start or
      // on every request would otherwise spin); one that never got going before the others were all up
      // (a port in use, a broken database) stops everything.
      const quick = Date.now() - startedAt < 30_000 ? (quickExits.get(index) ?? 0) + 1 : 0;
      quickExits.set(index, quick);
      if (!everReady && !listened && quick >= 5) {
        io.err(`guildhall: process ${index} failed to start ${quick} times in a row; stopping\n`);
        exitCode = 1;
        stopAll();
        return;
      }
      const delayMs = quick === 0 ? 0 : Math.min(10_000, 250 * 2 ** (quick - 1));
      io.err(
        `guildhall: process ${index} exited (${signal ?? `code ${code}`}); starting it again` +
          (delayMs ? ` in ${(delayMs / 1000).toFixed(1)} s\n` : '\n'),
      );
      setTimeout(() => {
        if (!stopping) fork(index, true);
      }, delayMs);
    });
    return worker;
  };

  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    if (byIndex.size === 0) finish(exitCode);
    for (const worker of byIndex.values()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of byIndex.values()) worker.process.kill('SIGKILL');
    }, STOP_DEADLINE_MS).unref();
  };
  process.once('SIGTERM', stopAll);
  process.once('SIGINT', stopAll);
  fork(0);
  return {
    ready,
    finished,
    pids: () => [...byIndex.values()].flatMap((worker) => (worker.process.pid ? [worker.process.pid] : [])),
    stop: stopAll,
  };
}
