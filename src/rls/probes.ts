import { sql, type Transaction } from 'kysely';
import { AUTH_TABLES } from '../better-auth.js';
import type { Database } from '../schema.js';
import { attempt, describeOutcome, isDenied, isNothing, visible, type Outcome } from './probe-runner.js';

export interface ProbeUser {
  id: string;
  taskIds: string[];
  /** tasks_archive rows (contract v1.1.0) */
  archivedIds: string[];
  email: string;
}

export interface ProbeContext {
  trx: Transaction<Database>;
  a: ProbeUser;
  b: ProbeUser;
  /**
   * Why an UPDATE with no WHERE could touch other users' rows (RLS off, a loose
   * USING, todo_app bypassing RLS): then that probe is not run, since on
   * production it would lock every task; the other probes name the leak.
   */
  unbounded: string | null;
}

/** Who the probe runs as: under SET LOCAL ROLE todo_app, and last as todo_auth (the auth service). */
export type ProbeIdentity = 'no user set' | 'empty user id' | 'user A' | 'auth service';

export interface ProbeSpec {
  id: string;
  as: ProbeIdentity;
  description: string;
  expected: string;
  run(ctx: ProbeContext): Promise<{ observed: string; pass: boolean }>;
}

const seesNothing = (as: ProbeIdentity, id: string): ProbeSpec => ({
  id,
  as,
  description: 'sees no task, no archived task and no user',
  expected: '0 tasks, 0 archived, 0 users',
  async run({ trx, a }) {
    const seen = [
      { noun: 'tasks', v: await visible(trx, 'tasks', a.id) },
      { noun: 'archived', v: await visible(trx, 'tasks_archive', a.id) },
      { noun: 'users', v: await visible(trx, 'users', a.id) },
    ];
    return {
      observed: seen.map(({ noun, v }) => ('denied' in v ? `${noun} denied` : `${v.total} ${noun}`)).join(', '),
      pass: seen.every(({ v }) => 'denied' in v || v.total === 0),
    };
  },
});

const writesNothing = (as: ProbeIdentity, id: string): ProbeSpec => ({
  id,
  as,
  description: "can insert, update and delete nothing (tries A's rows)",
  expected: 'insert denied, 0 updated, 0 deleted, 0 archived deleted',
  async run({ trx, a }) {
    const inserted = await attempt(trx, async () => (await trx.insertInto('tasks').values({ user_id: a.id, title: 'rls probe' }).executeTakeFirst()).numInsertedOrUpdatedRows);
    const updated = await attempt(trx, async () => (await trx.updateTable('tasks').set({ title: 'rls probe' }).where('user_id', '=', a.id).executeTakeFirst()).numUpdatedRows);
    const deleted = await attempt(trx, async () => (await trx.deleteFrom('tasks').where('user_id', '=', a.id).executeTakeFirst()).numDeletedRows);
    const archived = await attempt(trx, async () => (await trx.deleteFrom('tasks_archive').where('user_id', '=', a.id).executeTakeFirst()).numDeletedRows);
    return {
      observed: `insert ${describeOutcome(inserted)}, ${describeOutcome(updated)} updated, ${describeOutcome(deleted)} deleted, ${describeOutcome(archived)} archived deleted`,
      pass: isDenied(inserted) && isNothing(updated) && isNothing(deleted) && isNothing(archived),
    };
  },
});

/** A write of user A against user B's rows must be refused or touch nothing. */
const denied = (id: string, description: string, expected: string, write: (ctx: ProbeContext) => Promise<Outcome>, strict = false): ProbeSpec => ({
  id,
  as: 'user A',
  description,
  expected,
  async run(ctx) {
    const o = await write(ctx);
    return { observed: describeOutcome(o), pass: strict ? isDenied(o) : isNothing(o) };
  },
});

const allowed = (id: string, description: string, write: (ctx: ProbeContext) => Promise<Outcome>): ProbeSpec => ({
  id,
  as: 'user A',
  description: `${description} (control: the proof is not vacuous)`,
  expected: '1 row',
  async run(ctx) {
    const o = await write(ctx);
    return { observed: describeOutcome(o), pass: 'rows' in o && o.rows === 1 };
  },
});

const exactlyOwn = (id: string, table: 'tasks' | 'users' | 'tasks_archive', description: string): ProbeSpec => ({
  id,
  as: 'user A',
  description,
  expected: '',
  async run({ trx, a }) {
    const want = { tasks: a.taskIds.length, tasks_archive: a.archivedIds.length, users: 1 }[table];
    const v = await visible(trx, table, a.id);
    if ('denied' in v) return { observed: `denied (SQLSTATE ${v.denied})`, pass: false };
    const noun = { tasks: ['task', 'tasks'], tasks_archive: ['archived task', 'archived tasks'], users: ['user', 'users'] }[table][v.total === 1 ? 0 : 1];
    return { observed: `${v.total} ${noun}, ${v.total - v.own} of other users`, pass: v.total === want && v.own === want };
  },
});

/** Rows of one table the current role can see, or its refusal (the auth tables are not in the typed schema). */
async function rawCount(trx: Transaction<Database>, table: string, where = sql`true`): Promise<Outcome> {
  return attempt(trx, async () => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(trx)).rows[0]?.n ?? 0));
}

/** One after the other: each runs in the transaction's one savepoint. */
async function countEach(trx: Transaction<Database>, tables: readonly string[]): Promise<{ t: string; o: Outcome }[]> {
  const seen: { t: string; o: Outcome }[] = [];
  for (const t of tables) seen.push({ t, o: await rawCount(trx, t) });
  return seen;
}

/** The two boundaries of contract v1.2.0: the app never reaches tokens and hashes, the auth service never reaches tasks. */
const AUTH_PROBES: readonly ProbeSpec[] = [
  {
    id: 'a-reads-auth-tables',
    as: 'user A',
    description: "reads sessions, accounts and verifications, even A's own",
    expected: 'denied or 0 rows, each',
    async run({ trx }) {
      const seen = await countEach(trx, AUTH_TABLES);
      return { observed: seen.map(({ t, o }) => `${t} ${describeOutcome(o)}`).join(', '), pass: seen.every(({ o }) => isNothing(o)) };
    },
  },
  denied('a-changes-own-email', 'changes its own email (the auth service verifies emails)', 'denied', async ({ trx, a }) =>
    attempt(trx, async () => (await trx.updateTable('users').set({ email: `rls-probe-moved-${a.id}@example.com` }).where('id', '=', a.id).executeTakeFirst()).numUpdatedRows),
    true,
  ),
  {
    id: 'auth-reads-tasks',
    as: 'auth service',
    description: 'reads tasks and archived tasks',
    expected: 'denied or 0 rows, each',
    async run({ trx }) {
      const seen = await countEach(trx, ['tasks', 'tasks_archive']);
      return { observed: seen.map(({ t, o }) => `${t} ${describeOutcome(o)}`).join(', '), pass: seen.every(({ o }) => isNothing(o)) };
    },
  },
  {
    id: 'auth-finds-user-and-session',
    as: 'auth service',
    description: "finds A by email and A's session by token (control: sign-in works)",
    expected: '1 user, 1 session',
    async run({ trx, a }) {
      const user = await rawCount(trx, 'users', sql`email = ${a.email}`);
      const session = await rawCount(trx, 'sessions', sql`token = ${`rls-probe-${a.id}`}`);
      return { observed: `${describeOutcome(user, 'user')}, ${describeOutcome(session, 'session')}`, pass: 'rows' in user && user.rows === 1 && 'rows' in session && session.rows === 1 };
    },
  },
];

/**
 * The behavioural proof of schema.md "Row-level security", in the order it runs:
 * first with no user set at all, then with an empty id, then as user A.
 */
export const PROBES: readonly ProbeSpec[] = [
  seesNothing('no user set', 'no-user-sees-nothing'),
  writesNothing('no user set', 'no-user-writes-nothing'),
  seesNothing('empty user id', 'empty-user-sees-nothing'),
  writesNothing('empty user id', 'empty-user-writes-nothing'),
  { ...exactlyOwn('a-sees-own-tasks', 'tasks', "sees exactly A's tasks"), expected: "2 tasks, 0 of other users" },
  { ...exactlyOwn('a-sees-own-user', 'users', "sees exactly A's user row"), expected: '1 user, 0 of other users' },
  denied('a-reads-b-task', "reads B's task by id", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.selectFrom('tasks').select('id').where('id', 'in', b.taskIds).execute()).length),
  ),
  denied('a-counts-b-tasks', "counts B's tasks", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => Number((await trx.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', b.id).executeTakeFirstOrThrow()).n)),
  ),
  denied('a-reads-b-user', "reads B's user row", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.selectFrom('users').select('id').where('id', '=', b.id).execute()).length),
  ),
  denied('a-updates-b-tasks', "updates B's tasks", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.updateTable('tasks').set({ title: 'rls probe' }).where('user_id', '=', b.id).executeTakeFirst()).numUpdatedRows),
  ),
  denied('a-deletes-b-tasks', "deletes B's tasks", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.deleteFrom('tasks').where('user_id', '=', b.id).executeTakeFirst()).numDeletedRows),
  ),
  denied('a-inserts-task-for-b', 'inserts a task owned by B', 'denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.insertInto('tasks').values({ user_id: b.id, title: 'rls probe' }).executeTakeFirst()).numInsertedOrUpdatedRows),
    true,
  ),
  {
    id: 'a-moves-task-to-b',
    as: 'user A',
    description: "moves A's tasks to B, by id and with no WHERE (which no SELECT policy guards)",
    expected: 'denied or 0 rows, both ways',
    async run({ trx, a, b, unbounded }) {
      const byId = await attempt(trx, async () => (await trx.updateTable('tasks').set({ user_id: b.id }).where('id', 'in', a.taskIds).executeTakeFirst()).numUpdatedRows);
      if (unbounded) return { observed: `by id: ${describeOutcome(byId)}; no WHERE: not run (${unbounded})`, pass: isNothing(byId) };
      const all = await attempt(trx, async () => (await trx.updateTable('tasks').set({ user_id: b.id }).executeTakeFirst()).numUpdatedRows);
      return { observed: `by id: ${describeOutcome(byId)}; no WHERE: ${describeOutcome(all)}`, pass: isNothing(byId) && isNothing(all) };
    },
  },
  denied('a-updates-b-user', "updates B's user row", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.updateTable('users').set({ name: 'rls probe' }).where('id', '=', b.id).executeTakeFirst()).numUpdatedRows),
  ),
  denied('a-deletes-b-user', "deletes B's user row", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.deleteFrom('users').where('id', '=', b.id).executeTakeFirst()).numDeletedRows),
  ),
  // tasks_archive (contract v1.1.0): read and delete own; writes are the maintenance role's.
  { ...exactlyOwn('a-sees-own-archive', 'tasks_archive', "sees exactly A's archived tasks"), expected: '1 archived task, 0 of other users' },
  denied('a-reads-b-archive', "reads B's archived task by id", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.selectFrom('tasks_archive').select('id').where('id', 'in', b.archivedIds).execute()).length),
  ),
  denied('a-deletes-b-archive', "deletes B's archived tasks", '0 rows or denied', async ({ trx, b }) =>
    attempt(trx, async () => (await trx.deleteFrom('tasks_archive').where('user_id', '=', b.id).executeTakeFirst()).numDeletedRows),
  ),
  denied('a-archives-own-task', 'inserts into tasks_archive, even its own task', 'denied', async ({ trx, a }) =>
    attempt(trx, async () => (await trx.insertInto('tasks_archive').values({ id: a.taskIds[0]!, user_id: a.id, title: 'rls probe', completed: true, created_at: new Date(), updated_at: new Date() }).executeTakeFirst()).numInsertedOrUpdatedRows),
    true,
  ),
  denied('a-edits-own-archive', 'updates an archived task of its own', 'denied', async ({ trx, a }) =>
    attempt(trx, async () => (await trx.updateTable('tasks_archive').set({ title: 'rls probe' }).where('id', 'in', a.archivedIds).executeTakeFirst()).numUpdatedRows),
    true,
  ),
  allowed('a-deletes-own-archive', 'deletes an archived task of its own', async ({ trx, a }) =>
    attempt(trx, async () => (await trx.deleteFrom('tasks_archive').where('id', '=', a.archivedIds[0]!).executeTakeFirst()).numDeletedRows),
  ),
  allowed('a-inserts-own-task', 'inserts a task of its own', async ({ trx, a }) =>
    attempt(trx, async () => (await trx.insertInto('tasks').values({ user_id: a.id, title: 'rls probe' }).executeTakeFirst()).numInsertedOrUpdatedRows),
  ),
  allowed('a-updates-own-task', 'updates a task of its own', async ({ trx, a }) =>
    attempt(trx, async () => (await trx.updateTable('tasks').set({ title: 'rls probe' }).where('id', '=', a.taskIds[0]!).executeTakeFirst()).numUpdatedRows),
  ),
  ...AUTH_PROBES,
];
