import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_ADMIN_URL } from './postgres.js';

/**
 * PgBouncer in transaction mode in front of the test server (127.0.0.1:5432),
 * as Neon's `-pooler` endpoint is: each transaction gets whichever of
 * `poolSize` server connections (per database and user) is free. It runs as the
 * postgres OS user (PgBouncer refuses root) on a free port, with trust auth for
 * the users named (PgBouncer wants each in its auth file even then), and
 * `stop()` ends it and removes its files. `.ci/run` installs the package; a test
 * installs nothing.
 *
 * @example
 * const bouncer = await startPgbouncer({ users: ['postgres', role] });
 * try { await runCli(['--url', bouncer.url(db.name), 'migrate', 'up']); } finally { bouncer.stop(); }
 */
export interface Pgbouncer {
  port: number;
  /** the pooled URL of `database` (as `user`, default postgres) */
  url(database: string, user?: string): string;
  /** the log, for a failing test's message */
  log(): string;
  /** stops PgBouncer and removes its files; safe to call twice */
  stop(): void;
}

export interface PgbouncerOptions {
  /** server connections per database and user (default 2) */
  poolSize?: number;
  /** login roles besides postgres */
  users?: string[];
  /** more [pgbouncer] settings */
  settings?: Record<string, string | number>;
}

const BINARY = '/usr/sbin/pgbouncer';

export async function startPgbouncer(options: PgbouncerOptions = {}): Promise<Pgbouncer> {
  if (!existsSync(BINARY)) throw new Error(`pgbouncer is not installed (${BINARY}); as root: apt-get update && apt-get install -y pgbouncer (.ci/run does it)`);
  const server = new URL(PG_ADMIN_URL);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'todo-db-pgbouncer-'));
  const users = [...new Set(['postgres', ...(options.users ?? [])])];
  const settings: Record<string, string | number> = {
    listen_addr: '127.0.0.1',
    listen_port: port,
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: join(dir, 'userlist.txt'),
    pool_mode: 'transaction',
    default_pool_size: options.poolSize ?? 2,
    max_client_conn: 500,
    logfile: join(dir, 'log'),
    pidfile: join(dir, 'pid'),
    ...options.settings,
  };
  writeFileSync(join(dir, 'userlist.txt'), users.map((u) => `"${u}" ""\n`).join(''));
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    `[databases]\n* = host=${server.hostname} port=${server.port || 5432}\n\n[pgbouncer]\n${Object.entries(settings)
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n')}\n`,
  );
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, file), uid, gid);
  const log = () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '');
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      const pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
      if (pid > 0) {
        process.kill(pid, 'SIGINT');
        for (let i = 0; i < 100 && alive(pid); i++) execFileSync('sleep', ['0.05']);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
    } catch {
      // never started, or already gone: the files still go
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', BINARY, '-d', join(dir, 'pgbouncer.ini')], { stdio: 'pipe' });
    await waitForPort(port, log);
  } catch (error) {
    const text = log();
    stop();
    throw new Error(`pgbouncer did not start: ${(error as Error).message}\n${text}`);
  }
  return { port, url: (database, user = 'postgres') => `postgres://${user}@127.0.0.1:${port}/${database}`, log, stop };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port}\n${log()}`);
}
