// @ts-check
/**
 * The development data set (schema.md "Seed and cleanup data"): three users under
 * the reserved domain example.com, each with a handful of tasks, some completed.
 * Declared once, here: `todo-db seed` and `npx kysely seed:run` run seed(db), and
 * sql/seed-development.sql is rendered from these rows (`todo-db seed --sql`).
 *
 * Stable ids and fixed timestamps make it idempotent: a second run finds every
 * row as declared and changes nothing (updated_at included); a seed row edited
 * since is put back (the updated_at trigger then stamps it with the repair time).
 */

import { sql } from 'kysely';
import { backendOf } from 'todo-db';

/** @typedef {import('../src/seed/rows.js').UserRow} UserRow */
/** @typedef {import('../src/seed/rows.js').TaskRow} TaskRow */
/** @typedef {{ inserted: number, updated: number, unchanged: number }} SeedCounts */

const ALICE = '00000000-5eed-4000-8000-00000000a11c';
const BOB = '00000000-5eed-4000-8000-000000000b0b';
const CAROL = '00000000-5eed-4000-8000-0000000ca201';

/** @type {readonly UserRow[]} */
export const USERS = [
  { id: ALICE, email: 'alice@example.com', email_verified: true, name: 'Alice Example', image: null, created_at: '2026-09-01T08:30:00.000Z', updated_at: '2026-09-01T08:30:00.000Z' },
  { id: BOB, email: 'bob@example.com', email_verified: true, name: 'Bob Example', image: 'https://example.com/avatars/bob.png', created_at: '2026-09-03T17:05:00.000Z', updated_at: '2026-09-03T17:05:00.000Z' },
  { id: CAROL, email: 'carol@example.com', email_verified: false, name: 'Carol Example', image: null, created_at: '2026-10-12T11:45:00.000Z', updated_at: '2026-10-12T11:45:00.000Z' },
];

/**
 * @param {string} user @param {number} n @param {string} title @param {string | null} description
 * @param {boolean} completed @param {string} created @param {string} [updated]
 * @returns {TaskRow}
 */
function task(user, n, title, description, completed, created, updated = created) {
  const id = `00000000-5eed-4000-9000-${user.slice(-4)}${String(n).padStart(8, '0')}`;
  return { id, user_id: user, title, description, completed, created_at: created, updated_at: updated };
}

/** @type {readonly TaskRow[]} */
export const TASKS = [
  task(ALICE, 1, 'Set up the project repository', 'Create the repo, add the README and the CI workflow.', true, '2026-09-01T09:00:00.000Z', '2026-09-02T16:20:00.000Z'),
  task(ALICE, 2, 'Write the database migrations', 'users and tasks, then RLS. Check them against schema.md.', true, '2026-09-02T10:15:00.000Z', '2026-09-05T12:00:00.000Z'),
  task(ALICE, 3, 'Review the sign-up flow', null, false, '2026-09-08T14:40:00.000Z'),
  task(ALICE, 4, 'Book the team retro', 'Thursday afternoon works for everyone except Bob.', false, '2026-10-01T08:05:00.000Z'),
  task(ALICE, 5, 'Renew the TLS certificate', null, false, '2026-11-02T19:30:00.000Z'),
  task(BOB, 1, 'Buy groceries', 'Milk, eggs, coffee beans, and something for Saturday.', true, '2026-09-04T07:50:00.000Z', '2026-09-04T18:10:00.000Z'),
  task(BOB, 2, 'Fix the flaky login test', 'It fails about one run in twenty on CI; probably a race with the session cookie.', false, '2026-09-10T13:25:00.000Z'),
  task(BOB, 3, 'Call the plumber about the kitchen sink', null, false, '2026-09-21T09:00:00.000Z'),
  task(BOB, 4, 'Draft the "What\'s new" post', 'Mention dark mode and the faster task list.', true, '2026-10-15T15:00:00.000Z', '2026-10-20T10:45:00.000Z'),
  task(BOB, 5, 'Read "Designing Data-Intensive Applications"', null, false, '2026-11-05T21:10:00.000Z'),
  task(CAROL, 1, 'Verify my email address', 'The link in the welcome mail expires after 24 hours.', false, '2026-10-12T11:50:00.000Z'),
  task(CAROL, 2, 'Plan the trip to Lisbon', 'Flights, a hotel near Alfama, and a day trip to Sintra.', false, '2026-10-13T20:00:00.000Z'),
  task(CAROL, 3, 'Pay the electricity bill', null, true, '2026-10-20T08:00:00.000Z', '2026-10-21T08:30:00.000Z'),
  task(CAROL, 4, 'Return the library books', null, false, '2026-11-01T12:00:00.000Z'),
];

/**
 * Upserts the development rows. Returns what changed; kysely-ctl ignores it.
 * @param {import('kysely').Kysely<any>} db
 * @returns {Promise<{ users: SeedCounts, tasks: SeedCounts }>}
 */
export async function seed(db) {
  if (!db.isTransaction) return db.transaction().execute((trx) => seed(trx));
  // Two seeds at once would both find a row missing and both insert it; this lock
  // (which only seeds and writers wait for, never readers) makes them take turns.
  if (backendOf(db).capabilities.sessions) await sql`lock table users, tasks in share row exclusive mode`.execute(db);
  return { users: await upsert(db, 'users', USERS), tasks: await upsert(db, 'tasks', TASKS) };
}

/**
 * Inserts missing rows and puts back changed ones; equal rows are not written, so
 * their updated_at stays. (Compared here rather than in `on conflict ... where`,
 * which pg-mem cannot parse; sql/seed-development.sql does it in SQL.)
 * @param {import('kysely').Kysely<any>} db @param {'users' | 'tasks'} table
 * @param {readonly (UserRow | TaskRow)[]} rows
 * @returns {Promise<SeedCounts>}
 */
async function upsert(db, table, rows) {
  const existing = await db.selectFrom(table).selectAll().where('id', 'in', rows.map((r) => r.id)).execute();
  const byId = new Map(existing.map((row) => [row.id, row]));
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  const missing = rows.filter((row) => !byId.has(row.id));
  if (missing.length > 0) await db.insertInto(table).values([...missing]).execute();
  counts.inserted = missing.length;
  for (const row of rows) {
    const current = byId.get(row.id);
    if (!current) continue;
    if (same(current, row)) {
      counts.unchanged++;
      continue;
    }
    const { id, ...columns } = row;
    await db.updateTable(table).set(columns).where('id', '=', id).execute();
    counts.updated++;
  }
  return counts;
}

/** Equal in every column but updated_at (the trigger's, not ours). @param {Record<string, unknown>} current @param {UserRow | TaskRow} wanted */
function same(current, wanted) {
  return Object.entries(wanted).every(([column, value]) => {
    if (column === 'updated_at') return true;
    const have = current[column];
    if (column === 'created_at') return new Date(/** @type {string} */ (have)).getTime() === new Date(/** @type {string} */ (value)).getTime();
    return have === value;
  });
}
