import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { migrateUp } from '../../src/index.js';
import { openFresh } from './backends.js';

/** A fresh server database with the schema, two users, B's one task, and a LOGIN role in todo_app for the app's view. */
export interface RlsFixture {
  fresh: Awaited<ReturnType<typeof openFresh>>;
  /** the database's URL, logged in as the app role (RLS applies) */
  roleUrl: string;
  A: string;
  B: string;
  close(): Promise<void>;
}

export async function openRlsFixture(label: string): Promise<RlsFixture> {
  const fresh = await openFresh('postgres', label);
  await migrateUp(fresh.handle);
  // Roles are cluster-wide: one per process and label.
  const role = `tododb_${label}_${process.pid}`;
  await sql.raw(`create role ${role} login nosuperuser nobypassrls; grant todo_app to ${role}`).execute(fresh.handle.db);
  const A = randomUUID();
  const B = randomUUID();
  await fresh.handle.db
    .insertInto('users')
    .values([
      { id: A, email: `a-${A}@example.com` },
      { id: B, email: `b-${B}@example.com` },
    ])
    .execute();
  await fresh.handle.db.insertInto('tasks').values({ user_id: B, title: 'b only' }).execute();
  const url = new URL(fresh.backend.url);
  url.username = role;
  return {
    fresh,
    roleUrl: url.toString(),
    A,
    B,
    close: async () => {
      await sql.raw(`drop owned by ${role}; drop role if exists ${role}`).execute(fresh.handle.db);
      await fresh.close();
    },
  };
}
