import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { ProblemError, UsageError } from '../errors.js';
import { listAnd } from '../text.js';
import type { Database } from '../schema.js';
import { readCatalog, readRole, type PolicyInfo, type RlsCatalog } from './catalog.js';
import { APP_ROLE, HELPER_FUNCTION, USER_SETTING } from './declaration.js';
import { AUTH_ROLE, DECLARED_POLICIES, TABLE_NAMES } from './design.js';
import { isOncePerStatement } from './lint.js';
import { PROBES, type ProbeIdentity, type ProbeUser } from './probes.js';
import { requireCapabilities } from '../connection/capabilities.js';
import { hasSqlState } from '../sql-state.js';

/** One row of the proof. */
export interface RlsProbe {
  id: string;
  as: ProbeIdentity | 'catalog';
  description: string;
  expected: string;
  observed: string;
  pass: boolean;
}

export interface VerifyRlsResult {
  /** every probe passed */
  ok: boolean;
  probes: RlsProbe[];
  /** ids of the probes that failed */
  failed: string[];
}

/**
 * Proves isolation by behaviour: creates two probe users with tasks, then as
 * todo_app (SET LOCAL ROLE) tries to read, count, change and steal across users.
 * Everything runs in one transaction that is always rolled back, so it is safe
 * on production. Needs the maintenance role (superuser or BYPASSRLS) to create
 * the probe users.
 *
 * @example
 * const { ok, failed } = await verifyRls(handle);
 */
export async function verifyRls(handle: TodoDatabase<any>): Promise<VerifyRlsResult> {
  requireCapabilities(handle, ['rls'], 'rls verify');
  if (!handle.server.superuser && !handle.server.bypassRls) {
    throw new UsageError(
      `rls verify creates its probe users as the maintenance role, and ${handle.server.user} is subject to RLS`,
      'connect as the table owner with BYPASSRLS or a superuser (DATABASE_URL_UNPOOLED or --url)',
    );
  }
  const catalog = await readCatalog(handle.db);
  const missing = catalog.tables.filter((t) => !t.exists).map((t) => t.table);
  if (missing.length > 0) throw new ProblemError(`table ${listAnd(missing)} does not exist`, 'run `todo-db migrate up` first');
  const probes = catalogProbes(catalog.policies);
  const unbounded = await unboundedUpdates(handle, catalog);
  const trx = await (handle.db as TodoDatabase['db']).startTransaction().execute();
  try {
    probes.push(...(await behaviour(trx, handle.server.user, unbounded)));
  } finally {
    await trx.rollback().execute();
  }
  const failed = probes.filter((p) => !p.pass).map((p) => p.id);
  return { ok: failed.length === 0, probes, failed };
}

async function behaviour(trx: Transaction<Database>, user: string, unbounded: string | null): Promise<RlsProbe[]> {
  const a = await createProbeUser(trx, 2);
  const b = await createProbeUser(trx, 1);
  await setRole(trx, APP_ROLE, user, 'the application');
  const out: RlsProbe[] = [];
  let identity: ProbeIdentity | undefined;
  for (const probe of PROBES) {
    if (probe.as !== identity) {
      identity = probe.as;
      // 'no user set' runs first, before this transaction sets anything; the auth service runs last.
      if (identity === 'auth service') {
        await sql`reset role`.execute(trx);
        await setRole(trx, AUTH_ROLE, user, 'the auth service');
      } else if (identity !== 'no user set') await sql`select set_config(${USER_SETTING}, ${identity === 'user A' ? a.id : ''}, true)`.execute(trx);
    }
    const { observed, pass } = await probe.run({ trx, a, b, unbounded });
    out.push({ id: probe.id, as: probe.as, description: probe.description, expected: probe.expected, observed, pass });
  }
  return out;
}

async function setRole(trx: Transaction<Database>, role: string, user: string, who: string): Promise<void> {
  try {
    await sql`set local role ${sql.id(role)}`.execute(trx);
  } catch (error) {
    if (hasSqlState(error, 'insufficientPrivilege')) throw new UsageError(`${user} cannot SET ROLE ${role}, so the probes cannot run as ${who}`, `GRANT ${role} TO ${user};`);
    if (hasSqlState(error, 'invalidParameterValue', 'undefinedObject')) throw new ProblemError(`role ${role} does not exist`, 'run `todo-db rls apply`');
    throw error;
  }
}

/** Whether something other than the declared USING could let an UPDATE of todo_app reach every task. */
async function unboundedUpdates(handle: TodoDatabase<any>, catalog: RlsCatalog): Promise<string | null> {
  const tasks = catalog.tables.find((t) => t.table === 'tasks');
  if (!tasks?.enabled) return 'RLS is off on tasks';
  const role = await readRole(handle.db, APP_ROLE);
  if (role.superuser || role.bypassRls) return `${APP_ROLE} bypasses RLS`;
  const declared = DECLARED_POLICIES.find((p) => p.table === 'tasks' && p.command === 'UPDATE');
  const loose = catalog.policies.filter(
    (p) => p.table === 'tasks' && p.permissive && (p.command === 'UPDATE' || p.command === 'ALL') && (p.roles.includes(APP_ROLE) || p.roles.includes('public')) && p.using !== declared?.using,
  );
  return loose.length > 0 ? `UPDATE policy ${loose.map((p) => p.name).join(', ')} has a USING other than the design's` : null;
}

async function createProbeUser(trx: Transaction<Database>, tasks: number): Promise<ProbeUser> {
  const id = randomUUID();
  const email = `rls-probe-${id}@example.com`;
  await trx.insertInto('users').values({ id, email, name: 'rls verify probe' }).execute();
  // What Better Auth would hold for a signed-in user with a pending email verification.
  await sql`insert into sessions (user_id, token, expires_at) values (${id}, ${`rls-probe-${id}`}, now() + interval '1 hour')`.execute(trx);
  await sql`insert into accounts (user_id, account_id, provider_id, password) values (${id}, ${id}, 'credential', 'rls-probe')`.execute(trx);
  await sql`insert into verifications (identifier, value, expires_at) values (${email}, ${`rls-probe-${id}`}, now() + interval '1 hour')`.execute(trx);
  const taskIds = Array.from({ length: tasks }, () => randomUUID());
  await trx
    .insertInto('tasks')
    .values(taskIds.map((taskId, i) => ({ id: taskId, user_id: id, title: `rls probe ${i + 1}` })))
    .execute();
  const archivedIds = [randomUUID()];
  const at = new Date();
  await trx
    .insertInto('tasks_archive')
    .values(archivedIds.map((archivedId) => ({ id: archivedId, user_id: id, title: 'rls probe, archived', completed: true, created_at: at, updated_at: at })))
    .execute();
  return { id, taskIds, archivedIds, email };
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
