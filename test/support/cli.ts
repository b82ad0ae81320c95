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

/** Runs the built `todo-db` binary without a terminal, as CI would. */
export function runCli(args: readonly string[], options: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of CONNECTION_ENV) delete env[key];
  Object.assign(env, { NO_COLOR: '1' }, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
