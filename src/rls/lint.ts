import type { PolicyInfo, RlsCatalog, RoleInfo } from './catalog.js';
import { APP_ROLE, HELPER_BODY, HELPER_FUNCTION, ONCE_PER_STATEMENT, POLICY_COMMANDS, deniedCommands } from './declaration.js';
import { AUTH_PRIVILEGES, AUTH_ROLE, DECLARED_POLICIES, PROTECTED_TABLES, isAuthPolicy, type DesignPolicy } from './design.js';
import { listAnd } from '../text.js';
import { APPLY_FIX, type RlsFinding } from './findings.js';

/**
 * Checks the catalog against the declared design: tables, policies, grants, the
 * helper function and the todo_app role. Pure; returns findings and the notes
 * about what is intentionally so (users has no INSERT/DELETE policy).
 */
export function lintRls(catalog: RlsCatalog, appRole: RoleInfo, authRole?: RoleInfo): { findings: RlsFinding[]; notes: string[] } {
  const missing = catalog.tables.filter((t) => !t.exists).map((t) => t.table);
  if (missing.length > 0) {
    const finding: RlsFinding = {
      code: 'table-missing',
      subject: missing.join(', '),
      message: `table ${listAnd(missing)} does not exist`,
      fix: 'run `todo-db migrate up`',
      repair: 'manual',
    };
    return { findings: [finding], notes: [] };
  }
  return {
    findings: [
      ...tableFindings(catalog),
      ...policyFindings(catalog.policies),
      ...grantFindings(catalog),
      ...authGrantFindings(catalog),
      ...helperFindings(catalog),
      ...roleFindings(appRole),
      ...(authRole ? authRoleFindings(authRole) : []),
      ...dualMemberFindings(catalog.dualMembers),
    ],
    notes: [
      ...PROTECTED_TABLES.filter((t) => t.denied).map((t) => `${t.table}: no ${deniedCommands(t).join('/')} policy, so ${APP_ROLE} is denied them (intended: ${t.denied})`),
      `${AUTH_ROLE} (the auth service) sees every row of ${Object.keys(AUTH_PRIVILEGES).join(', ')} (intended: it finds users by email and sessions by token before anyone is signed in) and has no grant on the task tables`,
    ],
  };
}

function tableFindings(catalog: RlsCatalog): RlsFinding[] {
  return catalog.tables.flatMap((t): RlsFinding[] => {
    if (!t.enabled)
      return [
        { code: 'rls-disabled', subject: t.table, message: `row-level security is disabled on ${t.table}: every row is visible to ${APP_ROLE}`, fix: APPLY_FIX, repair: 'apply' },
      ];
    if (!t.forced)
      return [
        {
          code: 'rls-not-forced',
          subject: t.table,
          message: `row-level security is not forced on ${t.table}: its owner (${t.owner}) skips the policies`,
          fix: APPLY_FIX,
          repair: 'apply',
        },
      ];
    return [];
  });
}

const ALWAYS_TRUE = new Set(['true', '(true)']);

function policyFindings(policies: readonly PolicyInfo[]): RlsFinding[] {
  const findings: RlsFinding[] = [];
  for (const declared of DECLARED_POLICIES) {
    const actual = policies.find((p) => p.table === declared.table && p.name === declared.name);
    const finding = actual
      ? compare(declared, actual)
      : { code: 'policy-missing' as const, message: `policy ${declared.name} (${declared.command} on ${declared.table}) is missing: ${APP_ROLE} is denied ${declared.command}` };
    if (finding) findings.push({ ...finding, subject: `${declared.table}.${declared.name}`, fix: APPLY_FIX, repair: 'apply' });
  }
  for (const extra of policies.filter((p) => !DECLARED_POLICIES.some((d) => d.table === p.table && d.name === p.name))) {
    const loose = isAlwaysTrue(extra) ? ', always true' : '';
    findings.push({
      code: 'policy-unexpected',
      subject: `${extra.table}.${extra.name}`,
      message: `policy ${extra.name} (${extra.command} on ${extra.table} to ${extra.roles.join(', ')}${loose}) is not part of the design and ${extra.permissive ? 'widens' : 'changes'} access`,
      fix: APPLY_FIX,
      repair: 'apply',
    });
  }
  return [...findings, ...duplicatePermissive(policies)];
}

function compare(declared: DesignPolicy, actual: PolicyInfo): Pick<RlsFinding, 'code' | 'message'> | undefined {
  const name = `policy ${declared.name}`;
  if (isAuthPolicy(declared)) {
    const same =
      actual.command === declared.command &&
      actual.permissive &&
      actual.roles.join(',') === declared.roles.join(',') &&
      actual.using === declared.using &&
      actual.withCheck === declared.withCheck;
    return same
      ? undefined
      : { code: 'policy-changed', message: `${name} differs from the design (${declared.command} TO ${AUTH_ROLE} USING true WITH CHECK true): ${describe(actual)}` };
  }
  if (isAlwaysTrue(actual))
    return { code: 'policy-always-true', message: `${name} is always true: it lets ${actual.roles.join(', ')} ${actual.command} every row of ${actual.table}` };
  if (declared.withCheck && !actual.withCheck && declared.command === 'UPDATE') {
    return {
      code: 'policy-no-with-check',
      message: `${name} has no WITH CHECK: rows may be updated into another user's (PostgreSQL falls back to USING, which the design does not rely on)`,
    };
  }
  const expressions = [actual.using, actual.withCheck].filter((e): e is string => e !== null);
  if (expressions.some((e) => !isOncePerStatement(e))) {
    return { code: 'policy-per-row', message: `${name} does not use the once-per-statement (SELECT ${HELPER_FUNCTION}()) form` };
  }
  const same =
    actual.command === declared.command &&
    actual.permissive &&
    actual.roles.join(',') === declared.roles.join(',') &&
    actual.using === declared.using &&
    actual.withCheck === declared.withCheck;
  if (!same) return { code: 'policy-changed', message: `${name} differs from the design: ${describe(actual)}` };
  return undefined;
}

function isAlwaysTrue(p: PolicyInfo): boolean {
  return [p.using, p.withCheck].some((e) => e !== null && ALWAYS_TRUE.has(e.trim().toLowerCase()));
}

/** Every call of the helper sits inside a scalar sub-select (an init plan), none per row. */
export function isOncePerStatement(expression: string): boolean {
  const calls = expression.split(`${HELPER_FUNCTION}()`).length - 1;
  const wrapped = expression.split(ONCE_PER_STATEMENT).length - 1;
  return calls > 0 && calls === wrapped;
}

function describe(p: PolicyInfo): string {
  return `${p.permissive ? '' : 'RESTRICTIVE '}${p.command} TO ${p.roles.join(', ')} USING ${p.using ?? '-'} WITH CHECK ${p.withCheck ?? '-'}`;
}

/** Two permissive policies for the same role and command are OR-ed: the looser wins. */
function duplicatePermissive(policies: readonly PolicyInfo[]): RlsFinding[] {
  const findings: RlsFinding[] = [];
  for (const table of PROTECTED_TABLES) {
    for (const command of POLICY_COMMANDS) {
      const applying = policies.filter(
        (p) => p.table === table.table && p.permissive && (p.command === command || p.command === 'ALL') && (p.roles.includes(APP_ROLE) || p.roles.includes('public')),
      );
      if (applying.length > 1) {
        findings.push({
          code: 'policy-duplicate-permissive',
          subject: `${table.table} ${command}`,
          message: `${applying.length} permissive ${command} policies on ${table.table} apply to ${APP_ROLE} (${applying.map((p) => p.name).join(', ')}): they are OR-ed, the loosest wins`,
          fix: APPLY_FIX,
          repair: 'apply',
        });
      }
    }
  }
  return findings;
}

function grantFindings(catalog: RlsCatalog): RlsFinding[] {
  return PROTECTED_TABLES.flatMap((t): RlsFinding[] => {
    const expected = t.privileges.join(', ');
    const actual = (catalog.grants.find((g) => g.table === t.table)?.privileges ?? []).join(', ');
    if (actual === expected) return [];
    return [
      { code: 'grants', subject: t.table, message: `${APP_ROLE} has ${actual || 'no privileges'} on ${t.table}, expected exactly ${expected}`, fix: APPLY_FIX, repair: 'apply' },
    ];
  });
}

/** todo_auth: exactly its grants on users and the auth tables, nothing on the others (tasks). */
function authGrantFindings(catalog: RlsCatalog): RlsFinding[] {
  return PROTECTED_TABLES.flatMap((t): RlsFinding[] => {
    const expected = (AUTH_PRIVILEGES[t.table] ?? []).join(', ');
    const actual = (catalog.authGrants.find((g) => g.table === t.table)?.privileges ?? []).join(', ');
    if (actual === expected) return [];
    return [
      {
        code: 'auth-grants',
        subject: t.table,
        message: `${AUTH_ROLE} has ${actual || 'no privileges'} on ${t.table}, expected ${expected ? `exactly ${expected}` : 'none'}`,
        fix: APPLY_FIX,
        repair: 'apply',
      },
    ];
  });
}

function helperFindings(catalog: RlsCatalog): RlsFinding[] {
  const h = catalog.helper;
  const subject = `${HELPER_FUNCTION}()`;
  if (!h) return [{ code: 'helper-missing', subject, message: `function ${subject} is missing: every policy errors`, fix: APPLY_FIX, repair: 'apply' }];
  const body = h.body.replace(/\s+/g, ' ').trim();
  const expectedBody = HELPER_BODY.replace(/\s+/g, ' ').trim();
  if (h.volatility !== 'STABLE' || h.returns !== 'uuid' || body !== expectedBody) {
    return [
      { code: 'helper-changed', subject, message: `function ${subject} differs from the design (${h.volatility}, returns ${h.returns}: ${body})`, fix: APPLY_FIX, repair: 'apply' },
    ];
  }
  return [];
}

/** todo_app itself: it must exist, and never bypass RLS. */
function roleFindings(role: RoleInfo): RlsFinding[] {
  if (!role.exists) return [{ code: 'role-missing', subject: APP_ROLE, message: `role ${APP_ROLE} does not exist`, fix: APPLY_FIX, repair: 'apply' }];
  const findings: RlsFinding[] = [];
  const alter = (attribute: string) => `ALTER ROLE ${APP_ROLE} ${attribute};`;
  if (role.superuser) {
    findings.push({
      code: 'role-superuser',
      subject: APP_ROLE,
      message: `role ${APP_ROLE} is a superuser: RLS does not apply to it`,
      fix: `run as a superuser: ${alter('NOSUPERUSER')}`,
      repair: 'superuser',
      sql: alter('NOSUPERUSER'),
    });
  }
  if (role.bypassRls) {
    findings.push({
      code: 'role-bypassrls',
      subject: APP_ROLE,
      message: `role ${APP_ROLE} has BYPASSRLS: RLS does not apply to it`,
      fix: `run as a superuser: ${alter('NOBYPASSRLS')}`,
      repair: 'superuser',
      sql: alter('NOBYPASSRLS'),
    });
  }
  if (role.canLogin) {
    // Not repaired automatically: whatever logs in as todo_app would be locked out.
    findings.push({
      code: 'role-login',
      subject: APP_ROLE,
      message: `role ${APP_ROLE} can log in: it should be a NOLOGIN group granted to the application's login role`,
      fix: `grant ${APP_ROLE} to a login role, connect as that, then: ${alter('NOLOGIN')}`,
      repair: 'manual',
    });
  }
  return findings;
}

/** todo_auth itself: a NOLOGIN group that never bypasses RLS (its reach is its policies). */
function authRoleFindings(role: RoleInfo): RlsFinding[] {
  if (!role.exists)
    return [
      {
        code: 'auth-role-missing',
        subject: AUTH_ROLE,
        message: `role ${AUTH_ROLE} (the auth service's) does not exist: Better Auth cannot sign anyone up or in`,
        fix: APPLY_FIX,
        repair: 'apply',
      },
    ];
  const alter = (attribute: string) => `ALTER ROLE ${AUTH_ROLE} ${attribute};`;
  const findings: RlsFinding[] = [];
  if (role.superuser)
    findings.push({
      code: 'auth-role-superuser',
      subject: AUTH_ROLE,
      message: `role ${AUTH_ROLE} is a superuser`,
      fix: `run as a superuser: ${alter('NOSUPERUSER')}`,
      repair: 'superuser',
      sql: alter('NOSUPERUSER'),
    });
  if (role.bypassRls)
    findings.push({
      code: 'auth-role-bypassrls',
      subject: AUTH_ROLE,
      message: `role ${AUTH_ROLE} has BYPASSRLS (which its login members would not even inherit)`,
      fix: `run as a superuser: ${alter('NOBYPASSRLS')}`,
      repair: 'superuser',
      sql: alter('NOBYPASSRLS'),
    });
  if (role.canLogin)
    findings.push({
      code: 'auth-role-login',
      subject: AUTH_ROLE,
      message: `role ${AUTH_ROLE} can log in: it should be a NOLOGIN group granted to the auth service's login role`,
      fix: `grant ${AUTH_ROLE} to a login role, connect as that, then: ${alter('NOLOGIN')}`,
      repair: 'manual',
    });
  return findings;
}

/** One login in both groups is the app with the auth service's reach: tokens, hashes, every user. */
function dualMemberFindings(names: readonly string[]): RlsFinding[] {
  return names.map((name) => ({
    code: 'role-in-app-and-auth' as const,
    subject: name,
    message: `login role ${name} is a member of both ${APP_ROLE} and ${AUTH_ROLE}: whoever uses it can read every session token and password hash`,
    fix: `give the app and the auth service a login role each, then: REVOKE ${AUTH_ROLE} FROM ${name}; (or REVOKE ${APP_ROLE} FROM ${name};)`,
    repair: 'manual' as const,
  }));
}
