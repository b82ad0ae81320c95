import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/todo-db.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables that would redirect the CLI away from the database a test names. */
const CONNECTION_ENV = ['DATABASE_URL', 'DATABASE_URL_UNPOOLED', 'PGHOST', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGPORT', 'TODO_DB_DATA_DIR'];

/** The environment of a CLI run: nothing that would redirect its connection, no colour. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of CONNECTION_ENV) delete env[key];
  return Object.assign(env, { NO_COLOR: '1' }, extra) as NodeJS.ProcessEnv;
}

export interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the binary and sends it `signal` once `reached()` says so (polled every
 * `everyMs`, then after `delayMs()` more), for the crash and interruption tests.
 */
export function interruptWhen(
  args: readonly string[],
  reached: () => Promise<boolean>,
  options: { signal?: NodeJS.Signals; everyMs?: number; delayMs?: () => number } = {},
): Promise<Interrupted> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: cliEnv() });
    let stderr = '';
    let done = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal, stderr });
    });
    const poll = async () => {
      while (!done) {
        if (await reached().catch(() => false)) {
          const delay = options.delayMs?.() ?? 0;
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          child.kill(options.signal ?? 'SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, options.everyMs ?? 10));
      }
    };
    void poll();
  });
}

/**
 * Runs the built `todo-db` binary without a terminal, as CI would. `timeoutMs`:
 * SIGKILL after that long (code null), so a hang fails its test instead of outliving it.
 */
export function runCli(args: readonly string[], options: { env?: Record<string, string | undefined>; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const env = cliEnv(options.env);
  return new Promise((resolve, reject) => {
    const bound = options.timeoutMs ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {};
    const child = spawn(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], ...bound });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A spawned `todo-db` whose output (stdout and stderr together) is read while it runs. */
export function startCli(args: readonly string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
    stderr += d.toString();
  });
  let running = true;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  void exited.then(() => (running = false));
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    running: () => running,
    exited,
    /** resolves once `text` has been printed; throws if the process ends first or `ms` pass */
    waitFor: async (text: string, ms = 20_000) => {
      const deadline = Date.now() + ms;
      while (!output.includes(text)) {
        if (!running || Date.now() > deadline) throw new Error(`never printed ${JSON.stringify(text)}; output:\n${output}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
