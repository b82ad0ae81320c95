import { resolve as resolvePath } from 'node:path';
import { UsageError } from '../errors.js';

/** Where a command connects, resolved from flags and environment (cli.md "Where it connects"). */
export type Target =
  | { backend: 'postgres'; connectionString?: string; display: string; source: TargetSource; host: string; port: number; database: string; user?: string; ssl: SslSetting }
  | { backend: 'pglite'; dataDir: string | null; display: string; source: TargetSource }
  | { backend: 'pgmem'; display: string; source: TargetSource };

export type TargetSource = '--url' | 'DATABASE_URL_UNPOOLED' | 'DATABASE_URL' | 'PG* variables' | 'embedded default';
export type SslSetting = false | { rejectUnauthorized: boolean };
/**
 * Schema changes prefer the direct (unpooled) URL; everything else uses the app URL.
 * `inspect` (health, monitor, verify, rls status) connects like `data`, with short
 * server-side lock and statement timeouts (open.ts).
 */
export type Purpose = 'schema' | 'data' | 'inspect';

export interface ResolveOptions {
  url?: string;
  purpose?: Purpose;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export const DEFAULT_DATA_DIR = '.todo-db/pglite';

/** Resolves the connection target in the documented precedence; the first source set wins. */
export function resolveTarget(options: ResolveOptions = {}): Target {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.url !== undefined) return parseUrl(options.url, '--url', cwd);
  if (options.purpose === 'schema' && nonEmpty(env.DATABASE_URL_UNPOOLED)) {
    return parseUrl(env.DATABASE_URL_UNPOOLED!, 'DATABASE_URL_UNPOOLED', cwd);
  }
  if (nonEmpty(env.DATABASE_URL)) return parseUrl(env.DATABASE_URL!, 'DATABASE_URL', cwd);
  if (nonEmpty(env.PGHOST) || nonEmpty(env.PGDATABASE)) return fromPgEnv(env);
  const dataDir = resolvePath(cwd, nonEmpty(env.TODO_DB_DATA_DIR) ? env.TODO_DB_DATA_DIR! : DEFAULT_DATA_DIR);
  return { backend: 'pglite', dataDir, display: `pglite:${displayPath(dataDir, cwd)}`, source: 'embedded default' };
}

export function parseUrl(raw: string, source: TargetSource, cwd = process.cwd()): Target {
  const text = raw.trim();
  if (text.includes('\0')) throw new UsageError('the database URL contains a NUL byte', 'check --url or DATABASE_URL');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'pgmem') return { backend: 'pgmem', display: 'pgmem:', source };
  if (scheme === 'pglite') {
    const rest = text.slice('pglite:'.length).replace(/^\/\//, '');
    if (rest === 'memory' || rest === '') return { backend: 'pglite', dataDir: null, display: 'pglite:memory', source };
    const dataDir = resolvePath(cwd, rest);
    return { backend: 'pglite', dataDir, display: `pglite:${displayPath(dataDir, cwd)}`, source };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return parsePostgresUrl(text, source);
  const shown = scheme ? `"${scheme}:"` : 'none';
  throw new UsageError(
    `unsupported database URL scheme ${shown} in ${source}`,
    'use postgres://…, postgresql://…, pglite:DIR, pglite:memory or pgmem:',
  );
}

function parsePostgresUrl(text: string, source: TargetSource): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`malformed database URL in ${source}: ${maskUrl(text)}`, 'expected postgres://user@host:port/database, with :password after the user if needed');
  }
  const host = decodeURIComponent(url.hostname) || 'localhost';
  const port = url.port === '' ? 5432 : Number(url.port);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (url.pathname.split('/').length > 2) {
    throw new UsageError(`malformed database URL in ${source}: the path must be one database name`, 'expected postgres://user@host:port/database, with :password after the user if needed');
  }
  const ssl = sslFromMode(url.searchParams.get('sslmode'), source);
  // pg warns on stderr about sslmode aliases; we pass `ssl` explicitly instead.
  url.searchParams.delete('sslmode');
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  return {
    backend: 'postgres',
    connectionString: url.toString(),
    display: maskUrl(text),
    source,
    host,
    port,
    database: database || user || 'postgres',
    ...(user !== undefined ? { user } : {}),
    ssl,
  };
}

function fromPgEnv(env: NodeJS.ProcessEnv): Target {
  const host = env.PGHOST || 'localhost';
  const port = Number(env.PGPORT || 5432);
  const user = env.PGUSER || undefined;
  const database = env.PGDATABASE || user || 'postgres';
  const auth = user ? `${encodeURIComponent(user)}${env.PGPASSWORD ? ':****' : ''}@` : '';
  return {
    backend: 'postgres',
    display: `postgres://${auth}${host}:${port}/${database}`,
    source: 'PG* variables',
    host,
    port,
    database,
    ...(user ? { user } : {}),
    ssl: sslFromMode(env.PGSSLMODE ?? null, 'PG* variables'),
  };
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

function displayPath(dir: string, cwd: string): string {
  return dir.startsWith(cwd + '/') ? './' + dir.slice(cwd.length + 1) : dir;
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}
