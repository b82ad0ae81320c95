import { requireCapabilities } from '../connection/capabilities.js';
import type { Kysely } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { appRoleName, assessAppRole, type AppRoleAssessment, type AppRoleOptions } from './app-role.js';
import { readCatalog, readRole, type AppRoleGrants, type HelperInfo, type PolicyInfo, type RoleInfo, type TableRls } from './catalog.js';
import { APP_ROLE } from './declaration.js';
import { AUTH_ROLE } from './design.js';
import type { RlsFinding } from './findings.js';
import { lintRls } from './lint.js';

export interface RlsStatus {
  /** no findings */
  ok: boolean;
  findings: RlsFinding[];
  /** what is so on purpose (users has no INSERT/DELETE policy) */
  notes: string[];
  tables: TableRls[];
  policies: PolicyInfo[];
  /** the todo_app role, with its grants on the protected tables */
  role: RoleInfo & { grants: AppRoleGrants[] };
  helper: HelperInfo | null;
  /** the role the application connects as, when one was named */
  appRole?: AppRoleAssessment;
}

export type RlsStatusOptions = AppRoleOptions;

/**
 * The RLS setup as data: flags per table, policies, the todo_app role and its
 * grants, a lint of the policies against the design, and (with `appUrl` or
 * `appRole`) whether the application's role would skip RLS. The health check
 * reads `ok` and `findings`.
 *
 * @example
 * const status = await rlsStatus(database, { appUrl: process.env.DATABASE_URL });
 * if (!status.ok) for (const f of status.findings) console.log(f.message, '→', f.fix);
 */
export async function rlsStatus(database: Pick<TodoDatabase<any>, 'db' | 'capabilities' | 'kind'>, options: RlsStatusOptions = {}): Promise<RlsStatus> {
  requireCapabilities(database, ['rls'], 'rls status');
  const app = appRoleName(options);
  const status = await readStatus(database.db);
  if (!app) return status;
  const { appRole, findings } = await assessAppRole(database.db, app.name, app.source);
  const all = [...status.findings, ...findings];
  return { ...status, ok: all.length === 0, findings: all, appRole };
}

async function readStatus(db: Kysely<any>): Promise<RlsStatus> {
  const catalog = await readCatalog(db);
  const role = await readRole(db, APP_ROLE);
  const authRole = await readRole(db, AUTH_ROLE);
  const { findings, notes } = lintRls(catalog, role, authRole);
  return { ok: findings.length === 0, findings, notes, tables: catalog.tables, policies: catalog.policies, role: { ...role, grants: catalog.grants }, helper: catalog.helper };
}
