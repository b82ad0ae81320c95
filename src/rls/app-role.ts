import type { Kysely } from 'kysely';
import { parseUrl } from '../connection/target.js';
import { UsageError } from '../errors.js';
import { readRole, type RoleInfo } from './catalog.js';
import { APP_ROLE } from './declaration.js';
import type { RlsFinding } from './findings.js';

export interface AppRoleOptions {
  /** the application's connection URL; its user is the role assessed */
  appUrl?: string;
  /** or the role name itself */
  appRole?: string;
}

export interface AppRoleAssessment extends RoleInfo {
  /** where the name came from */
  source: 'app-url' | 'app-role';
}

/** The application's role name from the options; undefined when none is named. */
export function appRoleName(options: AppRoleOptions): { name: string; source: AppRoleAssessment['source'] } | undefined {
  if (options.appUrl !== undefined && options.appRole !== undefined) throw new UsageError('--app-url and --app-role name the same thing', 'pass one of them');
  if (options.appRole !== undefined) {
    if (options.appRole.trim() === '') throw new UsageError('--app-role is empty', 'name the role the application logs in as');
    return { name: options.appRole, source: 'app-role' };
  }
  if (options.appUrl === undefined) return undefined;
  let target: ReturnType<typeof parseUrl>;
  try {
    target = parseUrl(options.appUrl, 'DATABASE_URL');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(error.message.replace(' in DATABASE_URL', ' in the application URL (--app-url or DATABASE_URL)'), error.hint);
  }
  if (target.backend === 'postgres') {
    if (!target.user) throw new UsageError('the application URL names no user', 'put the login role in the URL (postgres://ROLE@host/db) or pass --app-role');
    return { name: target.user, source: 'app-url' };
  }
  // PGlite has one user, the bootstrap superuser; pg-mem has no roles at all.
  return { name: 'postgres', source: 'app-url' };
}

/** Reads and judges the role the application connects as. */
export async function assessAppRole(db: Kysely<any>, name: string, source: AppRoleAssessment['source']): Promise<{ appRole: AppRoleAssessment; findings: RlsFinding[] }> {
  const role = await readRole(db, name);
  return { appRole: { ...role, source }, findings: judge(role) };
}

/** Each way the application's connection skips or breaks RLS, with its one-line fix. */
export function judge(role: RoleInfo): RlsFinding[] {
  const subject = role.name;
  const q = quoteIdent(role.name);
  const finding = (code: RlsFinding['code'], message: string, fix: string): RlsFinding => ({ code, subject, message, fix, repair: 'manual' });
  if (!role.exists) return [finding('app-role-missing', `the application role ${role.name} does not exist`, `CREATE ROLE ${q} LOGIN PASSWORD '…' IN ROLE ${APP_ROLE};`)];
  const out: RlsFinding[] = [];
  if (role.superuser)
    out.push(
      finding(
        'app-role-superuser',
        `the application connects as ${role.name}, a superuser: RLS never applies`,
        `connect as a login role granted ${APP_ROLE}: CREATE ROLE app_login LOGIN PASSWORD '…' IN ROLE ${APP_ROLE};`,
      ),
    );
  // A superuser bypasses RLS whatever rolbypassrls says: one finding, one fix.
  else if (role.bypassRls) out.push(finding('app-role-bypassrls', `the application role ${role.name} has BYPASSRLS: RLS never applies`, `ALTER ROLE ${q} NOBYPASSRLS;`));
  if (role.owns.length > 0) {
    out.push(
      finding(
        'app-role-owner',
        `the application role ${role.name} owns ${role.owns.join(', ')}: it can switch RLS off`,
        role.owns.map((t) => `ALTER TABLE ${t} OWNER TO <maintenance role>;`).join(' '),
      ),
    );
  }
  if (!role.inheritsAppRole && role.name !== APP_ROLE)
    out.push(finding('app-role-not-member', `the application role ${role.name} is not a member of ${APP_ROLE}: it has none of its privileges`, `GRANT ${APP_ROLE} TO ${q};`));
  if (role.inAuthRole && !role.superuser)
    out.push(
      finding(
        'app-role-in-auth',
        `the application role ${role.name} is also a member of todo_auth: the app could read every session token and password hash`,
        `REVOKE todo_auth FROM ${q};`,
      ),
    );
  if (!role.canLogin)
    out.push(finding('app-role-nologin', `the application role ${role.name} cannot log in`, `connect as a login role granted ${APP_ROLE}, or ALTER ROLE ${q} LOGIN;`));
  return out;
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
