import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throw-away PostgreSQL cluster of its own, for what the shared server cannot
 * give a test: a setting that needs a restart (max_prepared_transactions,
 * shared_preload_libraries), or a second server (a standby). initdb runs as the
 * postgres OS user with trust auth on 127.0.0.1; `stop()` stops it and removes
 * every file. Each test file takes its own port (the brief of each helper names
 * a range), so clusters never collide.
 *
 * @example
 * const cluster = startPrivateCluster({ port: 55410, settings: { max_prepared_transactions: 5 } });
 * try { await cluster.query('select 1'); } finally { cluster.stop(); }
 */
export interface PrivateCluster {
  port: number;
  /** the data directory, for a test that needs its files (a standby's base backup, say) */
  dataDir: string;
  url(database?: string, user?: string): string;
  /** runs SQL as the superuser postgres on `database` (default postgres) */
  query<R extends pg.QueryResultRow = any>(text: string, database?: string, values?: unknown[]): Promise<R[]>;
  /** stops the server (immediate) and removes its files; safe to call twice */
  stop(): void;
}

export interface PrivateClusterOptions {
  port: number;
  /** postgresql.conf settings, written before the first start */
  settings?: Record<string, string | number | boolean>;
  /** a prefix for the temporary directory */
  label?: string;
  /**
   * Instead of initdb, a base backup of this running cluster (`pg_basebackup -R`):
   * the new cluster starts as its hot standby, streaming over the slot named here
   * (created by the backup; the caller drops it when the standby goes).
   */
  standbyOf?: { port: number; slot: string };
}

/** `pg_config --bindir`: the server binaries of the installed PostgreSQL. */
export const PG_BIN = execFileSync('pg_config', ['--bindir']).toString().trim();

/**
 * A port nothing listens on now, for a cluster's own: the kernel's pick of a free
 * ephemeral port, so test files started in parallel never choose the same one.
 */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function startPrivateCluster(options: PrivateClusterOptions): PrivateCluster {
  const root = mkdtempSync(join(tmpdir(), `todo-db-${options.label ?? 'cluster'}-`));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(root, uid, gid);
  const dataDir = join(root, 'data');
  const asPostgres = (cmd: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { stdio: 'pipe' });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']);
    } catch {
      // never started, or already gone: the files still go
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  try {
    if (options.standbyOf) {
      const { port, slot } = options.standbyOf;
      asPostgres('pg_basebackup', ['-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-R', '-X', 'stream', '-S', slot, '-C', '--no-sync']);
    } else asPostgres('initdb', ['-D', dataDir, '--auth=trust', '-U', 'postgres', '--no-sync', '--no-instructions']);
    const settings: Record<string, string | number | boolean> = {
      listen_addresses: '127.0.0.1',
      port: options.port,
      unix_socket_directories: root,
      fsync: 'off',
      ...options.settings,
    };
    const conf = Object.entries(settings).map(([key, value]) => `${key} = ${typeof value === 'string' ? `'${value.replace(/'/g, "''")}'` : String(value)}`);
    appendFileSync(join(dataDir, 'postgresql.conf'), `\n# private-cluster.ts\n${conf.join('\n')}\n`);
    asPostgres('pg_ctl', ['-D', dataDir, '-l', join(root, 'log'), '-w', '-t', '60', 'start']);
  } catch (error) {
    stop();
    throw error;
  }
  const url = (database = 'postgres', user = 'postgres') => `postgres://${user}@127.0.0.1:${options.port}/${database}`;
  return {
    port: options.port,
    dataDir,
    url,
    query: async (text, database, values = []) => {
      const client = new pg.Client({ connectionString: url(database) });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    stop,
  };
}
