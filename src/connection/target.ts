import { statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import { UsageError } from '../errors.js';

/** Where a command connects, resolved from flags and environment (cli.md "Where it connects"). */
export type Target =
  | PostgresTarget
  | { backend: 'pglite'; dataDir: string | null; display: string; source: TargetSource; origin?: string }
  | { backend: 'pgmem'; display: string; source: TargetSource; origin?: string };

export interface PostgresTarget {
  backend: 'postgres';
  connectionString?: string;
  display: string;
  source: TargetSource;
  /** the file the variable was read from (".env"), when not the process environment */
  origin?: string;
  host: string;
  port: number;
  database: string;
  user?: string;
  /** PGPASSWORD, for a target built from PG* variables: the driver is not left to read the environment */
  password?: string;
  ssl: SslSetting;
}

export type TargetSource = '--url' | 'DATABASE_URL_UNPOOLED' | 'DATABASE_URL' | 'PG* variables' | 'embedded default';
export type SslSetting = false | { rejectUnauthorized: boolean };
/**
 * Schema changes prefer the direct (unpooled) URL; everything else uses the app URL.
 * `inspect` (health, monitor, verify, rls status) connects like `data`, with short
 * server-side lock and statement timeouts (open.ts).
 */
export type Purpose = 'schema' | 'data' | 'inspect';
/** An environment: `process.env`, or a record read from .env files. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

export interface ResolveOptions {
  /** an explicit URL (`--url`): wins over everything */
  url?: string;
  purpose?: Purpose;
  /** the variables to read (the CLI passes process.env merged with .env); nothing is read implicitly */
  env: EnvRecord;
  /** where relative pglite: paths and the embedded default live */
  cwd?: string;
  /** which file each variable came from, for the header line (".env") */
  origins?: Readonly<Record<string, string>>;
}

export const DEFAULT_DATA_DIR = '.todo-db/pglite';

/**
 * Resolves the connection target in the documented precedence (the first source set
 * wins): the URL, DATABASE_URL_UNPOOLED for schema changes, DATABASE_URL, PG*
 * variables, then the embedded PGlite folder. A variable that is set but empty is an
 * error, not "unset": a CI job whose secret is missing must not quietly use a local database.
 *
 * @example
 * const target = resolveTarget({ env: process.env, purpose: 'schema' });
 * const database = await openDatabase({ target });
 */
export function resolveTarget(options: ResolveOptions): Target {
  const { env } = options;
  const cwd = options.cwd ?? process.cwd();
  const origin = (name: string) => (options.origins?.[name] ? { origin: options.origins[name]! } : {});
  if (options.url !== undefined) {
    if (options.url.trim() === '') throw new UsageError('--url is empty', 'give a database URL, e.g. --url postgres://user@host/db');
    return parseUrl(options.url, '--url', cwd);
  }
  for (const name of ['DATABASE_URL_UNPOOLED', 'DATABASE_URL'] as const) {
    const value = env[name];
    if (value === undefined) continue;
    if (value.trim() === '') {
      throw new UsageError(`${name} is set but empty${where(options.origins?.[name])}`, `set it to the database URL, or unset it`);
    }
    if (name === 'DATABASE_URL_UNPOOLED' && options.purpose !== 'schema') continue;
    return { ...parseUrl(value, name, cwd), ...origin(name) };
  }
  if (nonEmpty(env.PGHOST) || nonEmpty(env.PGDATABASE)) return { ...fromPgEnv(env), ...origin(nonEmpty(env.PGHOST) ? 'PGHOST' : 'PGDATABASE') };
  const dataDirValue = env.TODO_DB_DATA_DIR;
  if (dataDirValue !== undefined && dataDirValue.trim() === '') {
    throw new UsageError(`TODO_DB_DATA_DIR is set but empty${where(options.origins?.TODO_DB_DATA_DIR)}`, 'set it to a folder for the embedded database, or unset it');
  }
  const dataDir = checkDataDir(resolvePath(cwd, dataDirValue ?? DEFAULT_DATA_DIR), 'TODO_DB_DATA_DIR');
  return { backend: 'pglite', dataDir, display: `pglite:${displayPath(dataDir, cwd)}`, source: 'embedded default', ...origin('TODO_DB_DATA_DIR') };
}

function where(file: string | undefined): string {
  return file ? ` in ${file}` : '';
}

export function parseUrl(raw: string, source: TargetSource, cwd = process.cwd()): Target {
  const text = raw.trim();
  if (text.includes('\0')) throw new UsageError('the database URL contains a NUL byte', 'check --url or DATABASE_URL');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'pgmem') return { backend: 'pgmem', display: 'pgmem:', source };
  if (scheme === 'pglite') {
    const rest = text.slice('pglite:'.length).replace(/^\/\//, '');
    if (rest === 'memory' || rest === '') return { backend: 'pglite', dataDir: null, display: 'pglite:memory', source };
    const dataDir = checkDataDir(resolvePath(cwd, rest), source);
    return { backend: 'pglite', dataDir, display: `pglite:${displayPath(dataDir, cwd)}`, source };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return parsePostgresUrl(text, source);
  const shown = scheme ? `"${scheme}:"` : 'none';
  throw new UsageError(`unsupported database URL scheme ${shown} in ${source}`, 'use postgres://…, postgresql://…, pglite:DIR, pglite:memory or pgmem:');
}

const URL_SHAPE = 'expected postgres://user@host:port/database, with :password after the user if needed';

function parsePostgresUrl(text: string, source: TargetSource): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`malformed database URL in ${source}: ${maskUrl(text)}`, URL_SHAPE);
  }
  if (url.pathname.split('/').length > 2) {
    throw new UsageError(`malformed database URL in ${source}: the path must be one database name`, URL_SHAPE);
  }
  // Each part must decode: a stray `%` in a password is a typo the user must fix, not a driver crash.
  for (const [part, value] of [
    ['user name', url.username],
    ['password', url.password],
    ['host', url.hostname],
    ['database name', url.pathname],
  ] as const) {
    try {
      decodeURIComponent(value);
    } catch {
      throw new UsageError(
        `the ${part} in the database URL in ${source} has a percent-escape that does not decode: ${maskUrl(text)}`,
        'write a literal % as %25 and other special characters as %XX',
      );
    }
  }
  const port = url.port === '' ? 5432 : checkPort(url.port, `the port in the database URL in ${source}`);
  const ssl = sslFromMode(url.searchParams.get('sslmode'), source);
  // pg warns on stderr about sslmode aliases; we pass `ssl` explicitly instead.
  url.searchParams.delete('sslmode');
  // What pg itself will make of the string (a ?host= socket folder, say): the same parser.
  const parsed = parseConnectionString(url.toString());
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    backend: 'postgres',
    connectionString: url.toString(),
    display: maskUrl(text),
    source,
    host: parsed.host || 'localhost',
    port,
    database: database || user || 'postgres',
    ...(user !== undefined ? { user } : {}),
    ssl,
  };
}

/** A TCP port, 1–65535, or a UsageError naming where it came from. */
export function checkPort(value: string, what: string): number {
  const port = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${what} is "${value}", not a port`, 'use a number from 1 to 65535; PostgreSQL listens on 5432');
  }
  return port;
}

function fromPgEnv(env: EnvRecord): PostgresTarget {
  const host = env.PGHOST || 'localhost';
  const port = nonEmpty(env.PGPORT) ? checkPort(env.PGPORT!, 'PGPORT') : 5432;
  const user = env.PGUSER || undefined;
  const database = env.PGDATABASE || user || 'postgres';
  const password = env.PGPASSWORD || undefined;
  const auth = user ? `${encodeURIComponent(user)}${password ? ':****' : ''}@` : '';
  return {
    backend: 'postgres',
    display: `postgres://${auth}${host}:${port}/${database}`,
    source: 'PG* variables',
    host,
    port,
    database,
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    ssl: sslFromMode(env.PGSSLMODE || null, 'PG* variables'),
  };
}

/**
 * PGlite creates its folder: refuse places where that cannot work (a parent that
 * is a file) or must never be tried (/proc and /sys, where it spins forever).
 */
function checkDataDir(dir: string, source: string): string {
  const system = /^\/(proc|sys|dev)(\/|$)/.exec(dir)?.[1];
  if (system) {
    throw new UsageError(`the embedded database folder ${dir} (from ${source}) is under /${system}, a system folder`, 'choose a folder of your own, e.g. pglite:./.todo-db/pglite');
  }
  for (let at = dir; ; at = dirname(at)) {
    const stat = statOrNull(at);
    if (stat) {
      if (!stat.isDirectory())
        throw new UsageError(`the embedded database folder ${dir} (from ${source}) cannot be created: ${at} is a file`, 'choose a folder whose parents are folders');
      return dir;
    }
    if (dirname(at) === at) return dir;
  }
}

/**
 * libpq's sslmode mapped onto node-postgres. `require` verifies the certificate
 * (as pg does since 8.x; Neon's certificates verify), `no-verify` does not.
 */
function sslFromMode(mode: string | null, source: TargetSource): SslSetting {
  switch (mode) {
    case null:
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    case 'no-verify':
      return { rejectUnauthorized: false };
    default:
      throw new UsageError(`unknown sslmode "${mode}" in ${source}`, 'use disable, require, verify-full or no-verify');
  }
}

/** Masks the password of any postgres URL in a text (`postgres://app:****@host/db`). */
export function maskUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, '$1****@');
}

/** Masks every URL password and the given secrets anywhere in a message. */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let out = maskUrl(text);
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('****');
  return out;
}

/** Neon's transaction-pooled endpoints carry `-pooler` in the host name. */
export function isNeonPooler(target: Target): boolean {
  return target.backend === 'postgres' && /-pooler\./i.test(target.host);
}

/** Schema changes need a session (the migration lock is a session advisory lock). */
export function refusePooler(target: Target): void {
  if (isNeonPooler(target)) {
    throw new UsageError(
      `${target.display} is Neon's transaction pooler, which breaks the migration lock`,
      'set DATABASE_URL_UNPOOLED to the direct connection (the host without -pooler)',
    );
  }
}

/** stat, or null where nothing is (ENOTDIR too: a parent further up is a file, found on the way up). */
function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

function displayPath(dir: string, cwd: string): string {
  return dir.startsWith(cwd + '/') ? './' + dir.slice(cwd.length + 1) : dir;
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}
