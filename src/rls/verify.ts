import type { TodoDatabase } from '../connection/open.js';
import { ProblemError, UsageError } from '../errors.js';
import { listAnd } from '../text.js';
import { sql } from 'kysely';
import type { ReportItem } from '../report/item.js';
import { appRoleName, assessAppRole } from './app-role.js';
import type { PolicyInfo } from './catalog.js';
import { APP_ROLE, HELPER_BODY, HELPER_FUNCTION, TABLE_NAMES, USER_SETTING } from './declaration.js';
import type { RlsFinding } from './findings.js';
import { isOncePerStatement } from './lint.js';
import type { ProbeDetails } from './proof/attacks.js';
import { runProof } from './proof/run.js';
import { AUTH_PRIVILEGES, AUTH_ROLE } from './design.js';
import { rlsStatus, type RlsStatus } from './status.js';
import { requireCapabilities } from '../connection/capabilities.js';
import { hasSqlState } from '../sql-state.js';

/** One row of the proof (the text view's row; --json has the items). */
export interface RlsProbe {
  id: string;
  as: string;
  description: string;
  expected: string;
  observed: string;
  pass: boolean;
}

export interface VerifyRlsOptions {
  /** the role the application logs in as, or its URL (its role is judged as part of the proof) */
  appRole?: string;
  appUrl?: string;
  /** fail when no application role can be known (default: say so and pass) */
  requireAppRole?: boolean;
  /** real user ids to probe as, besides the probe users (default 20; 0 for none) */
  sample?: number;
}

export interface VerifyRlsResult {
  /** every probe and check held, and none could not run */
  ok: boolean;
  /** every row of the proof in the one item shape, grouped by table */
  checks: ReportItem[];
  probes: RlsProbe[];
  /** ids of the rows that failed or could not run */
  failed: string[];
  notRun: number;
  /** the tenant tables found (users, and every table with user_id referencing users) */
  tenants: string[];
  /** the application role judged, or null with the reason in notes */
  appRole: string | null;
  notes: string[];
  /** the longest one probe statement held row locks, and the proof transaction's length (ms) */
  longestLockMs: number;
  transactionMs: number;
  /** the server takes no writes (a standby): only the read probes ran */
  readOnly: boolean;
}

/**
 * Proves isolation by behaviour and by the catalog. In one transaction that is
 * always rolled back (safe on production) it writes probe users whose rows cover
 * every column state, then as todo_app tries every read and write an attacker
 * would on every tenant table (no WHERE, another user's id, stealing, giving
 * away), as no user, an empty id, user A and sampled real users; it compares
 * policies, grants and flags with the design, and lists every other way in
 * (views, SECURITY DEFINER functions, triggers, other schemas, preset settings,
 * cross-user unique indexes). Needs the maintenance role (superuser or BYPASSRLS).
 *
 * @example
 * const { ok, failed } = await verifyRls(db, { appUrl: process.env.APP_DATABASE_URL });
 */
export async function verifyRls(database: TodoDatabase<any>, options: VerifyRlsOptions = {}): Promise<VerifyRlsResult> {
  requireCapabilities(database, ['rls'], 'rls verify');
  const named = appRoleName(options);
  if (!database.server.superuser && !database.server.bypassRls) {
    throw new UsageError(
      `rls verify creates its probe users as the maintenance role, and ${database.server.user} is subject to RLS`,
      'connect as the table owner with BYPASSRLS or a superuser (DATABASE_URL_UNPOOLED or --url)',
    );
  }
  // One read of the catalog (rlsStatus): the design comparison and the checks below share it.
  const status = await rlsStatus(database);
  const missing = status.tables.filter((t) => !t.exists).map((t) => t.table);
  if (missing.length > 0) throw new ProblemError(`table ${listAnd(missing)} does not exist`, 'run `todo-db migrate up` first');
  if (!status.role.exists) throw new ProblemError(`role ${APP_ROLE} does not exist`, 'run `todo-db rls apply`');
  const checks: ReportItem[] = [...catalogProbes(status.policies).map(probeItem), ...designChecks(status)];
  const notes: string[] = [];
  let appRole: string | null = null;
  if (named) {
    appRole = named.name;
    const { findings } = await assessAppRole(database.db, named.name, named.source);
    checks.push(...appRoleItems(named.name, findings), ...(await bothRoles(database, named.name)));
  } else {
    notes.push('no application role known (--app-url, --app-role, or DATABASE_URL when --url names the maintenance connection): its attributes were not judged');
    if (options.requireAppRole)
      checks.push({
        id: 'app-role-unknown',
        object: 'application role',
        status: 'fail',
        message: 'no application role is known, and --require-app-role asks for one',
        fix: 'pass --app-url "$DATABASE_URL" or --app-role NAME',
        details: {},
      });
  }
  const proof = await runProof(database.db, {
    design: { appRole: APP_ROLE, appTables: TABLE_NAMES, helper: { name: HELPER_FUNCTION, body: HELPER_BODY }, setting: USER_SETTING, triggerFunctions: ['set_updated_at'] },
    authRole: AUTH_ROLE,
    authTables: Object.keys(AUTH_PRIVILEGES),
    loginRoles: appRole ? [appRole] : [],
    readOnly: database.server.readOnly,
    ...(options.sample !== undefined ? { sample: options.sample } : {}),
  }).catch((error: unknown) => {
    if (hasSqlState(error, 'insufficientPrivilege'))
      throw new UsageError(`${database.server.user} cannot SET ROLE ${APP_ROLE}, so the probes cannot run as the application`, `GRANT ${APP_ROLE} TO ${database.server.user};`);
    throw error;
  });
  checks.push(...proof.items);
  if (database.server.readOnly) {
    const skipped = proof.items.filter((i) => i.status === 'n/a' && (i.details as Partial<ProbeDetails>).observed === 'not run: read-only server').length;
    notes.push(
      `read-only mode: ${database.target.display} is ${database.server.standby ? 'a standby' : 'read-only'}, so no probe user can be inserted and ${skipped} write probes did not run (no write reaches it; \`rls verify\` on the primary runs them). ` +
        `The reads ran as no user, an empty id, a user without rows and ${proof.sampledUsers} real users, with the catalog and design checks`,
    );
  }
  const failed = checks.filter((c) => c.status === 'fail' || c.status === 'not-run').map((c) => c.id);
  const notRun = checks.filter((c) => c.status === 'not-run').length;
  return {
    ok: failed.length === 0,
    checks,
    probes: checks.map(asProbe),
    failed,
    notRun,
    tenants: proof.tenants,
    appRole,
    notes,
    longestLockMs: proof.longestLockMs,
    transactionMs: proof.transactionMs,
    readOnly: database.server.readOnly,
  };
}

function asProbe(item: ReportItem): RlsProbe {
  const d = item.details as Partial<ProbeDetails>;
  return {
    id: item.id,
    as: d.as ?? 'catalog',
    description: item.message,
    expected: d.expected ?? 'as designed',
    observed: d.observed ?? item.message,
    pass: item.status === 'ok' || item.status === 'n/a' || item.status === 'warn',
  };
}

function probeItem(p: RlsProbe): ReportItem {
  return {
    id: p.id,
    object: 'policies',
    status: p.pass ? 'ok' : 'fail',
    message: p.description,
    fix: p.pass ? null : 'run `todo-db rls apply`',
    details: { as: p.as, expected: p.expected, observed: p.observed },
  };
}

/** Policies, grants and flags against the design: a leak on a literal (`OR title = 'x'`) no data can show. */
function designChecks(status: RlsStatus): ReportItem[] {
  return status.findings.map((f) => ({ id: `design:${f.code}`, object: f.subject, status: 'fail' as const, message: f.message, fix: f.fix, details: { repair: f.repair } }));
}

/** A login role in both todo_app and the auth service's role holds tokens and every user's rows at once. */
async function bothRoles(database: TodoDatabase<any>, name: string): Promise<ReportItem[]> {
  const { rows } = await sql<{ both: boolean }>`
    select coalesce(pg_has_role(${name}, ${APP_ROLE}, 'MEMBER') and pg_has_role(${name}, ${AUTH_ROLE}, 'MEMBER'), false) as both
    where exists (select from pg_roles where rolname = ${name}) and exists (select from pg_roles where rolname = ${AUTH_ROLE})`.execute(database.db);
  if (!rows[0]?.both) return [];
  return [
    {
      id: 'app-role:in-both-roles',
      object: name,
      status: 'fail',
      message: `the application role ${name} is a member of both ${APP_ROLE} and ${AUTH_ROLE}: one login then holds the auth tables and every user's rows`,
      fix: `REVOKE ${AUTH_ROLE} FROM ${name}; (the auth service logs in as a role of its own)`,
      details: {},
    },
  ];
}

function appRoleItems(name: string, findings: readonly RlsFinding[]): ReportItem[] {
  if (findings.length === 0)
    return [
      {
        id: 'app-role',
        object: name,
        status: 'ok',
        message: `the application role ${name} is subject to RLS: no superuser, no BYPASSRLS, owns nothing, in ${APP_ROLE}`,
        fix: null,
        details: {},
      },
    ];
  return findings.map((f) => ({ id: `app-role:${f.code}`, object: name, status: 'fail', message: f.message, fix: f.fix, details: {} }));
}

/** What the catalog must show for the behaviour to hold under load and future edits. */
function catalogProbes(policies: readonly PolicyInfo[]): RlsProbe[] {
  const applying = policies.filter((p) => TABLE_NAMES.includes(p.table) && (p.roles.includes(APP_ROLE) || p.roles.includes('public')));
  const perRow = applying.filter((p) => [p.using, p.withCheck].some((e) => e !== null && !isOncePerStatement(e))).map((p) => p.name);
  const unchecked = applying.filter((p) => (p.command === 'UPDATE' || p.command === 'ALL') && p.withCheck === null).map((p) => p.name);
  return [
    {
      id: 'policies-once-per-statement',
      as: 'catalog',
      description: `every ${APP_ROLE} policy compares with (SELECT ${HELPER_FUNCTION}()), evaluated once per statement`,
      expected: `all ${applying.length} policies`,
      observed: perRow.length === 0 ? `all ${applying.length} policies` : `not: ${perRow.join(', ')}`,
      pass: applying.length > 0 && perRow.length === 0,
    },
    {
      id: 'update-policies-with-check',
      as: 'catalog',
      description: 'every UPDATE policy has an explicit WITH CHECK (a row cannot be moved to another user)',
      expected: 'all have one',
      observed: unchecked.length === 0 ? 'all have one' : `none on: ${unchecked.join(', ')}`,
      pass: unchecked.length === 0,
    },
  ];
}
