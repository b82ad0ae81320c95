import { spawn } from 'node:child_process';
import type { Target } from '../connection/target.js';
import { maskSecrets } from '../connection/target.js';
import { ConnectionError, ProblemError, UnsupportedError } from '../errors.js';

export type PostgresTarget = Extract<Target, { backend: 'postgres' }>;

/** The libpq client programs todo-db drives; Debian and Ubuntu ship them in this package. */
export type PgTool = 'pg_dump' | 'pg_restore';
export const CLIENT_PACKAGE = 'postgresql-client';

/** Exactly what is handed to `spawn`: program and argv. The password is never in it. */
export interface ToolCall {
  program: string;
  args: string[];
}

interface Invocation extends ToolCall {
  env: NodeJS.ProcessEnv;
  /** strings to mask in anything the tool prints */
  secrets: string[];
}

/**
 * How a libpq tool reaches `target`: the URL without its password (or host, port,
 * user, database flags), and the password in the child's PGPASSWORD. Process
 * arguments are visible to every user of the machine (`ps`); the environment is not.
 */
export function toolInvocation(program: PgTool, target: PostgresTarget, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Invocation {
  const childEnv: NodeJS.ProcessEnv = { ...env, PGAPPNAME: 'todo-db' };
  const secrets = [env.PGPASSWORD ?? ''];
  let connection: string[];
  if (target.connectionString) {
    const url = new URL(target.connectionString);
    if (url.password) {
      childEnv.PGPASSWORD = decodeURIComponent(url.password);
      secrets.push(url.password, childEnv.PGPASSWORD);
    }
    url.password = '';
    connection = [`--dbname=${url.toString()}`];
  } else {
    connection = [`--host=${target.host}`, `--port=${target.port}`, ...(target.user ? [`--username=${target.user}`] : []), `--dbname=${target.database}`];
    if (target.password) {
      childEnv.PGPASSWORD = target.password;
      secrets.push(target.password);
    }
  }
  // The URL's sslmode was turned into pg's `ssl` setting; libpq gets it back here.
  // `require` encrypts without needing a root certificate file, as Neon documents.
  if (target.ssl !== false && !childEnv.PGSSLMODE) childEnv.PGSSLMODE = 'require';
  // --no-password: never stop at a password prompt on a terminal.
  return { program, args: [...connection, '--no-password', ...args], env: childEnv, secrets: secrets.filter((s) => s.length > 0) };
}

/** The major version of a local client tool, e.g. 15 for "pg_dump (PostgreSQL) 15.20". */
export async function toolMajorVersion(program: PgTool): Promise<number> {
  const { stdout } = await run({ program, args: ['--version'], env: process.env, secrets: [] }, () => undefined, true);
  const major = /\(PostgreSQL\)\s+(\d+)/.exec(stdout)?.[1];
  if (!major) throw new ProblemError(`cannot tell the version of ${program} from "${stdout.trim()}"`, `check that ${program} on PATH is PostgreSQL's`);
  return Number(major);
}

/** pg_dump refuses a server newer than itself; say so before starting, with what to install. */
export async function requireDumpCanRead(serverVersionNum: number): Promise<void> {
  const server = Math.floor(serverVersionNum / 10_000);
  const local = await toolMajorVersion('pg_dump');
  if (server > local) {
    throw new UnsupportedError(
      `the server runs PostgreSQL ${server} but the local pg_dump is version ${local}, which cannot dump a newer server`,
      `install ${CLIENT_PACKAGE}-${server} (Debian/Ubuntu, from apt.postgresql.org) so that pg_dump ${server} comes first on PATH`,
    );
  }
}

/**
 * Runs a client tool to completion. Each stderr line goes to `onLine` (pg_dump
 * --verbose names every table as it goes); a failure becomes a typed error.
 */
export async function runTool(invocation: Invocation, onLine: (line: string) => void = () => undefined): Promise<void> {
  await run(invocation, onLine, false);
}

function run(invocation: Invocation, onLine: (line: string) => void, captureStdout: boolean): Promise<{ stdout: string }> {
  const { program, args, env, secrets } = invocation;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'] });
    let stdout = '';
    let pending = '';
    const errors: string[] = [];
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const raw of lines) {
        const line = maskSecrets(raw, secrets);
        if (/\b(error|fatal):/i.test(line)) errors.push(line);
        onLine(line);
      }
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new UnsupportedError(
            `${program} is not installed (it comes with the PostgreSQL client tools)`,
            `install them: apt-get install ${CLIENT_PACKAGE} (Debian/Ubuntu), or put ${program} on PATH`,
          ),
        );
      } else reject(error);
    });
    child.on('close', (code) => {
      if (pending) {
        const line = maskSecrets(pending, secrets);
        if (/\b(error|fatal):/i.test(line)) errors.push(line);
        onLine(line);
      }
      if (code === 0) resolve({ stdout });
      else reject(toolFailure(program, code, errors));
    });
  });
}

function toolFailure(program: string, code: number | null, errors: string[]): Error {
  const first = (errors[0] ?? `exited with code ${code}`).replace(/^\S+:\s*(error:\s*)?/i, '');
  const all = errors.join(' ');
  if (/server version mismatch/i.test(all)) {
    return new UnsupportedError(`${program}: ${first}`, `install the ${CLIENT_PACKAGE} of the server's major version so that it comes first on PATH`);
  }
  if (/unsupported version .* in file header/i.test(all)) {
    return new UnsupportedError(`${program}: the backup was made by a newer pg_dump (${first})`, `install a ${CLIENT_PACKAGE} at least as new as the one that made the backup`);
  }
  if (/connection to server .* failed|could not connect|password authentication failed/i.test(all)) {
    return new ConnectionError(`${program} could not connect: ${first}`, 'check --url or DATABASE_URL');
  }
  return new ProblemError(`${program} failed: ${first}`, errors.length > 1 ? `${errors.length} errors; run with --verbose to see them` : 'run with --verbose for its output');
}
