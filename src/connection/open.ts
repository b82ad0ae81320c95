import { Kysely, PostgresDialect, sql, type Dialect, type PostgresPool } from 'kysely';
import type { Database } from '../schema.js';
import { DEFAULT_LOCK_WAIT_MS, MigrationLockAdapter } from './advisory-lock.js';
import { BackendPlugin, CAPABILITIES, type BackendKind, type Capabilities } from './capabilities.js';
import { connectionFailure } from './connect-errors.js';
import { checkEmbeddedPath } from './embedded-path.js';
import { registerServerPool } from './server-pools.js';
import { lockDataDir } from './embedded-lock.js';
import { UsageError } from '../errors.js';
import { parseUrl, refusePooler, type Purpose, type Target } from './target.js';

export interface OpenOptions {
  /** a database URL: postgres://…, pglite:DIR, pglite:memory or pgmem: */
  url?: string;
  /** a resolved target (`resolveTarget({ env: process.env })` applies the CLI's rules) */
  target?: Target;
  /** 'schema' refuses Neon's transaction pooler */
  purpose?: Purpose;
  /** where a relative pglite: path lives (default: the current folder) */
  cwd?: string;
  /** bounded wait for the migration lock (ms); with purpose `inspect`, also the server's lock_timeout */
  lockTimeoutMs?: number;
  /** bounded wait for a connection (ms) */
  connectTimeoutMs?: number;
  /** per-statement limit on servers (ms); unset means none */
  statementTimeoutMs?: number;
  /**
   * A transaction pooler between here and the server: `auto` (default) probes for
   * one when it matters (src/connection/pooler.ts); `direct` and `transaction`
   * declare it and skip the probe's extra connection and round trips.
   */
  pooler?: 'auto' | 'direct' | 'transaction';
  /**
   * The plan cache (docs/plan-cache.md): each connection prepares the seven
   * patterns' statements once, so the server plans them and their row-level
   * security once per connection, not on every call. On servers only, and only
   * where one client keeps one server connection: the default is on when `pooler`
   * is declared `direct`, off otherwise; `true` with `pooler: 'transaction'` is refused.
   */
  preparedStatements?: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Read-only inspection (purpose `inspect`) must answer when something is wrong:
 * a catalog query must not queue for minutes behind an ACCESS EXCLUSIVE lock.
 * `lockTimeoutMs` and `statementTimeoutMs` override these; both go in the
 * start-up packet, so they cost no round trip.
 */
export const INSPECT_TIMEOUTS = { lockTimeoutMs: 2_000, statementTimeoutMs: 5_000 } as const;
/** How often the server checks, during a query or lock wait, that the client is still there (PostgreSQL 14+). */
const CLIENT_CHECK_INTERVAL_MS = 1_000;

/** What the server said about itself when we connected. */
export interface ServerInfo {
  /** e.g. "PostgreSQL 15.20" or "PostgreSQL 17.5 (PGlite)" */
  version: string;
  versionNum: number;
  user: string;
  database: string;
  superuser: boolean;
  bypassRls: boolean;
  /** a hot standby or read replica (pg_is_in_recovery()): it replays the primary's writes and takes none */
  standby: boolean;
  /** writes are refused: a standby, or default_transaction_read_only on */
  readOnly: boolean;
}

/**
 * The driver under Kysely, for the few things Kysely cannot do: COPY streams on a
 * pg pool, PGlite's blob COPY and dump. Most code never needs it.
 */
export type RawDriver = { kind: 'postgres'; pool: PostgresPool } | { kind: 'pglite'; client: EmbeddedClient } | { kind: 'pgmem' };

/**
 * The driver types as the public declarations show them. pg's and PGlite's own
 * types stay out of todo-db's .d.ts (PGlite's need Emscripten's, pg's need
 * @types/pg), so an app type-checks without skipLibCheck; inside todo-db,
 * src/connection/raw-clients.ts gives the full types.
 */
export interface EmbeddedClient {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(text: string): Promise<unknown>;
  readonly closed: boolean;
}

/** An open database: a Kysely instance plus what the rest of the code needs to know about it. */
export interface TodoDatabase<DB = Database> {
  db: Kysely<DB>;
  raw: RawDriver;
  target: Target;
  kind: BackendKind;
  capabilities: Capabilities;
  server: ServerInfo;
  /** set when OpenOptions.pooler declared the connection (not `auto`) */
  declaredPooler?: 'direct' | 'transaction';
  /** the plan cache is on: the seven patterns run as prepared statements (docs/plan-cache.md) */
  preparedStatements?: boolean;
  close(): Promise<void>;
}

/**
 * Opens the database the connection rules point at and checks that it answers.
 *
 * @example
 * const database = await openDatabase({ url: process.env.DATABASE_URL });
 * const tasks = await database.db.selectFrom('tasks').selectAll().execute();
 * await database.close();
 */
export async function openDatabase<DB = Database>(options: OpenOptions = {}): Promise<TodoDatabase<DB>> {
  const target = targetOf(options);
  if (options.purpose === 'schema') refusePooler(target);
  let prepared = planCacheOf(options, target);
  const adapter = new MigrationLockAdapter(options.lockTimeoutMs ?? DEFAULT_LOCK_WAIT_MS);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let dialect: Dialect;
  let raw: RawDriver;
  switch (target.backend) {
    case 'postgres': {
      const pool = await postgresPool(target, connectTimeoutMs, sessionSettings(options), prepared);
      dialect = postgresDialect(pool, adapter);
      raw = { kind: 'postgres', pool };
      break;
    }
    case 'pglite': {
      if (target.dataDir) checkEmbeddedPath(target.dataDir);
      const { PGlite } = await import('@electric-sql/pglite');
      const { PGliteDialect } = await import('./pglite-dialect.js');
      const unlock = target.dataDir ? await lockDataDir(target.dataDir, connectTimeoutMs) : () => undefined;
      try {
        const client = await PGlite.create(target.dataDir ?? undefined);
        // Whoever destroys the Kysely instance (we, or kysely-ctl) releases the folder.
        dialect = new PGliteDialect(client, adapter, unlock);
        raw = { kind: 'pglite', client: client as unknown as EmbeddedClient };
      } catch (error) {
        unlock();
        throw connectionFailure(error, target);
      }
      break;
    }
    case 'pgmem': {
      const { createPgMemDialect } = await import('./pgmem.js');
      dialect = await createPgMemDialect(adapter);
      raw = { kind: 'pgmem' };
      break;
    }
  }
  const capabilities = CAPABILITIES[target.backend];
  let db = new Kysely<DB>({ dialect, plugins: [new BackendPlugin(target.backend, capabilities)] });
  let server: ServerInfo;
  try {
    server = await serverInfo(db, target);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    // A pooler (PgBouncer) passes no startup settings on; inspection's default limits are then dropped, not the command.
    if (target.backend !== 'postgres' || !refusedStartupParameter(error) || !defaultLimitsOnly(options)) throw connectionFailure(error, target, passwordOf(target));
    // Startup settings refused: a pooler answered, whatever was declared; its connections are not ours to prepare on.
    prepared = false;
    const pool = await postgresPool(target, connectTimeoutMs, {}, prepared);
    raw = { kind: 'postgres', pool };
    db = new Kysely<DB>({ dialect: postgresDialect(pool, adapter), plugins: [new BackendPlugin(target.backend, capabilities)] });
    try {
      server = await serverInfo(db, target);
    } catch (again) {
      await db.destroy().catch(() => undefined);
      throw connectionFailure(again, target, passwordOf(target));
    }
  }
  const opened = db;
  if (raw.kind === 'postgres') registerServerPool(opened.getExecutor(), raw.pool);
  const declared = options.pooler === 'direct' || options.pooler === 'transaction' ? { declaredPooler: options.pooler } : {};
  const cache = prepared ? { preparedStatements: true } : {};
  return { db: opened, raw, target, kind: target.backend, capabilities, server, ...declared, ...cache, close: () => opened.destroy() };
}

/** Whether the plan cache is on: asked for, or a direct connection declared; never through a declared transaction pooler. */
function planCacheOf(options: OpenOptions, target: Target): boolean {
  if (options.preparedStatements === true && options.pooler === 'transaction') {
    throw new UsageError(
      'preparedStatements cannot be used with pooler: transaction: a transaction pooler hands each transaction another server connection, where the prepared statements do not exist',
      "drop preparedStatements, or declare pooler: 'direct' if the URL is a direct connection",
    );
  }
  return target.backend === 'postgres' && (options.preparedStatements ?? options.pooler === 'direct');
}

/** PgBouncer's FATAL for a startup parameter it does not know (statement_timeout, options). */
export function refusedStartupParameter(error: unknown): boolean {
  return /unsupported startup parameter/i.test(String((error as { message?: unknown } | null)?.message ?? ''));
}

/** Only inspection's own limits went in the start-up packet: nothing the caller asked for is lost without them. */
function defaultLimitsOnly(options: OpenOptions): boolean {
  return options.purpose === 'inspect' && options.statementTimeoutMs === undefined && options.lockTimeoutMs === undefined;
}

/** A library never guesses a database: no URL and no target is a usage error, not a new ./.todo-db folder. */
function targetOf(options: OpenOptions): Target {
  if (options.target) return options.target;
  if (options.url !== undefined && options.url.trim() !== '') return parseUrl(options.url, '--url', options.cwd);
  throw new UsageError(
    'openDatabase needs a database: no url and no target was given',
    "pass { url: 'postgres://…' } (or 'pglite:DIR', 'pglite:memory'), or { target: resolveTarget({ env: process.env }) } for the CLI's rules",
  );
}

/**
 * Runs `fn` with an open database and always closes it.
 *
 * @example
 * const count = await withDatabase({ url: 'pglite:memory' }, ({ db }) => db.selectFrom('users').select(db.fn.countAll().as('n')).executeTakeFirst());
 */
export async function withDatabase<T, DB = Database>(options: OpenOptions, fn: (database: TodoDatabase<DB>) => Promise<T>): Promise<T> {
  const database = await openDatabase<DB>(options);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

interface SessionSettings {
  statement_timeout?: number;
  lock_timeout?: number;
  options?: string;
}

/** Server-side limits of each connection; `inspect` has short ones by default. */
function sessionSettings(options: OpenOptions): SessionSettings {
  if (options.purpose !== 'inspect') return options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {};
  return {
    statement_timeout: options.statementTimeoutMs ?? INSPECT_TIMEOUTS.statementTimeoutMs,
    lock_timeout: options.lockTimeoutMs ?? INSPECT_TIMEOUTS.lockTimeoutMs,
    // A killed CLI leaves no backend waiting on a lock: the server notices the closed socket.
    options: `-c client_connection_check_interval=${CLIENT_CHECK_INTERVAL_MS}`,
  };
}

async function postgresPool(target: Extract<Target, { backend: 'postgres' }>, connectTimeoutMs: number, settings: SessionSettings, prepared: boolean): Promise<import('pg').Pool> {
  const { default: pg } = await import('pg');
  const { ClosingClient, PlanCachingClient } = await import('./pg-client.js');
  const pool = new pg.Pool({
    Client: prepared ? PlanCachingClient : ClosingClient,
    // A PG*-variable target carries its parts: pg must not fall back to reading process.env itself.
    ...(target.connectionString
      ? { connectionString: target.connectionString }
      : {
          host: target.host,
          port: target.port,
          database: target.database,
          ...(target.user ? { user: target.user } : {}),
          ...(target.password ? { password: target.password } : {}),
        }),
    ssl: target.ssl,
    max: 10,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'todo-db',
    ...settings,
  });
  // An idle client dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Nor one ended while in use (health terminates its own backend at its deadline): its query already rejects.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

function postgresDialect(pool: import('pg').Pool, adapter: MigrationLockAdapter): Dialect {
  const base = new PostgresDialect({ pool });
  return {
    createAdapter: () => adapter,
    createDriver: () => base.createDriver(),
    createIntrospector: (db) => base.createIntrospector(db),
    createQueryCompiler: () => base.createQueryCompiler(),
  };
}

async function serverInfo(db: Kysely<any>, target: Target): Promise<ServerInfo> {
  if (target.backend === 'pgmem') {
    await sql`select 1`.execute(db);
    return { version: 'pg-mem (in-memory emulation)', versionNum: 0, user: 'pg-mem', database: 'memory', superuser: true, bypassRls: true, standby: false, readOnly: false };
  }
  const { rows } = await sql<{ version: string; num: string; user: string; database: string; superuser: boolean; bypass: boolean; standby: boolean; read_only: boolean }>`
    select current_setting('server_version') as version, current_setting('server_version_num') as num,
           current_user as "user", current_database() as database,
           r.rolsuper as superuser, r.rolbypassrls as bypass,
           pg_is_in_recovery() as standby, current_setting('transaction_read_only') = 'on' as read_only
    from pg_roles r where r.rolname = current_user`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('the server did not describe the current role');
  const version = `PostgreSQL ${row.version.split(' ')[0]}${target.backend === 'pglite' ? ', embedded' : ''}`;
  return {
    version,
    versionNum: Number(row.num),
    user: row.user,
    database: row.database,
    superuser: row.superuser,
    bypassRls: row.bypass,
    standby: row.standby,
    readOnly: row.standby || row.read_only,
  };
}

function passwordOf(target: Target): string[] {
  if (target.backend !== 'postgres') return [];
  const fromUrl = target.connectionString ? decodeURIComponent(new URL(target.connectionString).password) : '';
  return [fromUrl, target.password ?? ''].filter((s) => s.length > 0);
}
