// Servers under test run in child processes, so the load generator in the parent never shares their
// event loop. A child prints one JSON line `{"url": …}` on stdout once it listens, and stops on
// SIGTERM, SIGINT or when its stdin closes (the parent died), so no server outlives a run.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/server-bundle.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The variable a child reads its Guildhall environment from (never the parent's own env or `.env`). */
export const CHILD_ENV_VARIABLE = 'GUILDHALL_BENCH_ENV';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * CPU time a process and its children have used so far, in ms (Linux /proc; null elsewhere or once it
 * is gone): its own, its children's that it has reaped, and its live children's.
 */
export function cpuMsOf(pid: number): number | null {
  try {
    // Fields after the command name: utime, stime, cutime and cstime are the 12th to 15th, in clock
    // ticks (100 Hz).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = [11, 12, 13, 14].reduce((sum, at) => sum + Number(fields[at]), 0);
    if (!Number.isFinite(ticks)) return null;
    let ms = ticks * 10;
    for (const child of childrenOf(pid)) ms += cpuMsOf(child) ?? 0;
    return ms;
  } catch {
    return null;
  }
}

/**
 * The CPU a PostgreSQL server on this machine has used so far, in ms (its postmaster and every backend,
 * live or gone; null when there is none, or more than one, or no /proc): what the database costs a
 * benchmark whose server is local.
 */
export function localPostgresCpuMs(): number | null {
  try {
    const commOf = (pid: string) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const postmasters = readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          if (commOf(pid) !== 'postgres') return false;
          const ppid = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] ?? '';
          return commOf(ppid) !== 'postgres';
        } catch {
          return false;
        }
      });
    return postmasters.length === 1 ? cpuMsOf(Number(postmasters[0])) : null;
  } catch {
    return null;
  }
}

/** The live children of a process (Linux). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Child side: reports the URL to the parent and closes the server when told to (or orphaned). */
export function serveUntilStopped(url: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), STOP_TIMEOUT_MS);
    force.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

const compiled = new Map<string, Promise<string>>();

/**
 * A child script compiled to JavaScript (dist/bench/, once per run), so servers start as
 * `guildhall start` does from its build, not through the TypeScript loader: a restart measured in the
 * chaos run is the restart a deployment has.
 */
export function compiledScript(script: string): Promise<string> {
  let done = compiled.get(script);
  if (!done) {
    const outfile = join(REPO_ROOT, 'dist', 'bench', script.replace(/^.*\//, '').replace(/\.ts$/, '.js'));
    // Bundled as `npm run build` bundles the server, so a benchmarked server starts as `guildhall start`.
    done = build({ ...bundleOptions, entryPoints: [join(REPO_ROOT, script)], outfile }).then(() => outfile);
    compiled.set(script, done);
  }
  return done;
}

/** Parent side: runs `script` (a .ts file under the repository) and waits for the URL it announces. */
export async function startChild(
  label: string,
  script: string,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  // BENCH_CPU_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...profile, await compiledScript(script)], {
    cwd: REPO_ROOT,
    // As `guildhall start` runs: NODE_ENV=production unless the caller set it.
    env: { NODE_ENV: 'production', ...process.env, [CHILD_ENV_VARIABLE]: JSON.stringify(env) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label}: could not start ${script}`);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${label}: no URL within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${label}: exited before listening (code ${code}, signal ${signal})`));
      });
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          const { url } = JSON.parse(line) as { url?: unknown };
          if (typeof url !== 'string') throw new Error('no url');
          resolve(url);
        } catch {
          reject(new Error(`${label}: expected {"url": …} on stdout, got ${JSON.stringify(line)}`));
        }
      });
    });
    // Anything the server prints later is passed through, so a stray log line is seen, not lost.
    lines.on('line', (line) => process.stderr.write(`[${label}] ${line}\n`));
    return { url, pid, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
