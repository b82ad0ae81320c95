import { ConnectionError, ProblemError, TodoDbError } from '../errors.js';
import { maskSecrets, type Target } from './target.js';

interface DriverError {
  code?: string;
  message?: string;
}

const CONNECT_HINT = 'check --url or DATABASE_URL';

/** Turns a driver's connect/login failure into one clear line with exit code 3. */
export function connectionFailure(error: unknown, target: Target, secrets: readonly string[] = []): TodoDbError {
  if (error instanceof TodoDbError) return error;
  const e = (error ?? {}) as DriverError;
  const where = target.backend === 'postgres' ? `${target.host}:${target.port}` : target.display;
  const user = target.backend === 'postgres' ? (target.user ?? 'current user') : '';
  const database = target.backend === 'postgres' ? target.database : '';
  const message = maskSecrets(String(e.message ?? error), secrets);
  const code = e.code ?? '';
  const fail = (what: string, hint = CONNECT_HINT) => new ConnectionError(what, hint, { cause: error });
  switch (code) {
    case 'ECONNREFUSED':
      return fail(`cannot connect to ${where} (connection refused)`, `Is PostgreSQL running? ${capital(CONNECT_HINT)}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`cannot resolve host "${target.backend === 'postgres' ? target.host : where}"`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`cannot reach ${where} (${code === 'ETIMEDOUT' ? 'timed out' : 'unreachable'})`);
    case 'ECONNRESET':
      return fail(`the connection to ${where} was reset`);
    case '28P01':
      return fail(`password authentication failed for user "${user}" on ${where}`, 'check the password in --url or DATABASE_URL');
    case '28000':
      return fail(`the server refused the login of user "${user}" on ${where}: ${message}`, 'check the user name and pg_hba.conf');
    case '3D000':
      return fail(`database "${database}" does not exist on ${where}`, `create it (createdb ${database}) or check the URL`);
    case '53300':
      return fail(`${where} has no free connection slots`, 'close idle connections or use a pooled URL for data commands');
    case '57P03':
      return fail(`${where} is starting up or shutting down`, 'retry in a moment');
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'CERT_HAS_EXPIRED':
      return fail(`the TLS certificate of ${where} is not trusted (${code})`, 'use sslmode=verify-full with a trusted certificate, or sslmode=no-verify');
  }
  const startup = /unsupported startup parameter:? (\w+)/i.exec(message);
  if (startup) {
    return fail(
      `${where} refused the startup parameter ${startup[1]}: a connection pooler (PgBouncer) passes no per-connection settings to the server`,
      'drop --statement-timeout and --lock-timeout for this URL, or use the direct (unpooled) URL',
    );
  }
  if (/does not support SSL/i.test(message)) {
    return fail(`${where} does not accept TLS, but the URL requires it`, 'use sslmode=disable for a server without TLS');
  }
  if (/timeout|timed out/i.test(message)) return fail(`timed out connecting to ${where}`, 'check the host and port, or raise --connect-timeout');
  if (/terminated|closed|ended unexpectedly/i.test(message)) return fail(`the connection to ${where} was closed: ${message}`);
  if (code.length === 5) return new ProblemError(`database error on ${where}: ${message} (SQLSTATE ${code})`, undefined, { cause: error });
  return fail(`cannot connect to ${where}: ${message}`);
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}
