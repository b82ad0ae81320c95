import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ProblemError, UnsupportedError, cleanup, migrateUp, seedDevelopment, seedScale, type TodoDatabase } from '../src/index.js';
import { SERVER_BACKENDS, openFresh } from './support/backends.js';
import { useFreshDatabase } from './support/fresh-database.js';

/**
 * Rows that are not seed data, with the decisions about the edge cases:
 * a domain is case-insensitive, so Dana@EXAMPLE.COM IS seed data (example.com is
 * reserved, nobody real has it) and goes; look-alikes stay.
 */
const OTHERS = ['eve@example.com.evil.org', 'frank@sub.example.com', 'grace@example.org', 'example.com@gmail.com', 'heidi@example.co', 'ivan@notexample.com'];
const CASED_SEED = 'Dana@EXAMPLE.COM';

async function addUsers(handle: TodoDatabase, emails: readonly string[]): Promise<void> {
  for (const email of emails) {
    const { id } = await handle.db
      .insertInto('users')
      .values({ email, name: email.split('@')[0]! })
      .returning('id')
      .executeTakeFirstOrThrow();
    await handle.db
      .insertInto('tasks')
      .values([
        { user_id: id, title: `${email}'s first` },
        { user_id: id, title: `${email}'s second`, completed: true },
      ])
      .execute();
  }
}

/** Every non-seed row, in full (updated_at included, so "untouched" means untouched). */
async function otherRows(handle: TodoDatabase): Promise<unknown[]> {
  const { rows } = await sql<{ row: string }>`
    select u::text || ' ' || coalesce(string_agg(t::text, ' ' order by t.id), '') as row
    from users u left join tasks t on t.user_id = u.id
    where u.email = any(${OTHERS}) group by u.id order by u.email`.execute(handle.db);
  return rows.map((r) => r.row);
}

describe.each(SERVER_BACKENDS)('cleanup on %s', (backend) => {
  const fresh = useFreshDatabase(backend, { label: 'cleanup', each: true });

  it('removes every seed user and their tasks in batches, and no other row', async () => {
    await addUsers(fresh.handle, OTHERS);
    await seedDevelopment(fresh.handle);
    await seedScale(fresh.handle, { users: 1200, tasksPerUser: 2, seed: 9 });
    await addUsers(fresh.handle, [CASED_SEED]);
    // One archived task per user, seed or not: the seed users' go with them, the others' stay.
    await sql`insert into tasks_archive (id, user_id, title, completed, created_at, updated_at)
              select gen_random_uuid(), id, 'archived', true, now(), now() from users`.execute(fresh.handle.db);
    const before = await otherRows(fresh.handle);
    expect(before).toHaveLength(OTHERS.length);
    const batches: number[] = [];
    const result = await cleanup(fresh.handle, { onBatch: (t) => batches.push(t.users) });
    expect(result).toMatchObject({ users: 3 + 1200 + 1, tasks: 14 + 2400 + 2, archived: 3 + 1200 + 1, batches: 2 });
    const { rows: kept } = await sql<{ n: number }>`select count(*)::int as n from tasks_archive`.execute(fresh.handle.db);
    expect(kept[0]?.n).toBe(OTHERS.length);
    expect(batches).toEqual([1000, 1204]);
    expect(await otherRows(fresh.handle)).toEqual(before);
    const left = await fresh.handle.db.selectFrom('users').select('email').orderBy('email').execute();
    expect(left.map((u) => u.email)).toEqual([...OTHERS].sort());
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from tasks`.execute(fresh.handle.db);
    expect(rows[0]?.n).toBe(OTHERS.length * 2);
    expect(await cleanup(fresh.handle)).toMatchObject({ users: 0, tasks: 0, archived: 0, batches: 0 });
  });

  it('says so in one line when row-level security applies to the connected role', async () => {
    await seedDevelopment(fresh.handle);
    const role = `tododb_owner_${process.pid}_${backend}`;
    const run = async <T>(fn: (handle: TodoDatabase) => Promise<T>): Promise<T> => {
      if (backend === 'pglite') {
        // One in-process session: SET ROLE holds for every later query of this handle.
        await sql.raw(`set role ${role}`).execute(fresh.handle.db);
        try {
          return await fn(fresh.handle);
        } finally {
          await sql`reset role`.execute(fresh.handle.db);
        }
      }
      const { openDatabase } = await import('../src/index.js');
      const url = new URL(fresh.backend.url);
      url.username = role;
      const owner = await openDatabase({ url: url.toString() });
      try {
        return await fn(owner);
      } finally {
        await owner.close();
      }
    };
    // The table owner without BYPASSRLS: FORCE ROW LEVEL SECURITY hides every row from it.
    await sql
      .raw(`create role ${role} login nosuperuser nobypassrls; alter table users owner to ${role}; alter table tasks owner to ${role}; alter table tasks_archive owner to ${role}`)
      .execute(fresh.handle.db);
    try {
      const commands: Array<(h: TodoDatabase) => Promise<unknown>> = [(h) => cleanup(h), (h) => seedDevelopment(h), (h) => seedScale(h, { users: 1, tasksPerUser: 1 })];
      for (const command of commands) {
        const attempt = run(command);
        await expect(attempt).rejects.toThrow(ProblemError);
        await expect(attempt).rejects.toThrow(
          /must run as the maintenance role, but row-level security applies to tododb_owner_\d+_\w+ on (accounts, sessions, )?tasks(, tasks_archive)?(,)? (and )?users( and verifications)?/,
        );
      }
    } finally {
      await sql
        .raw(
          `alter table users owner to current_user; alter table tasks owner to current_user; alter table tasks_archive owner to current_user; drop owned by ${role}; drop role ${role}`,
        )
        .execute(fresh.handle.db);
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from users`.execute(fresh.handle.db);
    expect(rows[0]?.n).toBe(3);
  });
});

describe('cleanup on pgmem', () => {
  it('is refused as unsupported (exit 2), not run with wrong counts', async () => {
    const fresh = await openFresh('pgmem', 'cleanup');
    try {
      await migrateUp(fresh.handle);
      await expect(cleanup(fresh.handle)).rejects.toThrow(UnsupportedError);
    } finally {
      await fresh.close();
    }
  });
});
