import type { Kysely } from 'kysely';
import type { Database, NewTask } from '../schema.js';
import { taskColumns } from './task-fields.js';

/**
 * The seven patterns' queries (schema.md "Query patterns"), built but not run:
 * `monitor queries` compiles them for EXPLAIN, the typed functions in tasks.ts run
 * them. Every write is scoped by `user_id` too, so a wrong id can never touch
 * another user's task even where row-level security is not in force.
 */
type Db = Kysely<Database>;

/** Every column of tasks, named rather than `*` (task-fields.ts says why). */
const all = taskColumns;

/** The fields a user may edit (pattern 4). */
export interface TaskEdit {
  title: string;
  description: string | null;
}

/** Pattern 1: a user's tasks, newest first (idx_tasks_user_created). */
export const listTasksQuery = (db: Db, userId: string, limit: number) =>
  db.selectFrom('tasks').select(all()).where('user_id', '=', userId).orderBy('created_at', 'desc').limit(limit);

/** Pattern 2: a user's incomplete tasks, newest first (idx_tasks_user_completed or idx_tasks_user_created). */
export const listIncompleteTasksQuery = (db: Db, userId: string) =>
  db.selectFrom('tasks').select(all()).where('user_id', '=', userId).where('completed', '=', false).orderBy('created_at', 'desc');

/** Pattern 3: create a task; the database fills id, completed and timestamps. */
export const createTaskQuery = (db: Db, task: NewTask) => db.insertInto('tasks').values(task).returning(all());

/** Pattern 4: edit title and description of the user's own task (tasks_pkey). */
export const updateTaskQuery = (db: Db, id: string, userId: string, edit: TaskEdit) =>
  db.updateTable('tasks').set({ title: edit.title, description: edit.description }).where('id', '=', id).where('user_id', '=', userId).returning(all());

/** Pattern 5: flip completion in the database, so two clicks never race on a stale value (tasks_pkey). */
export const toggleTaskQuery = (db: Db, id: string, userId: string) =>
  db
    .updateTable('tasks')
    .set((eb) => ({ completed: eb.not('completed') }))
    .where('id', '=', id)
    .where('user_id', '=', userId);

/** Pattern 6: delete the user's own task (tasks_pkey). */
export const deleteTaskQuery = (db: Db, id: string, userId: string) => db.deleteFrom('tasks').where('id', '=', id).where('user_id', '=', userId);

/** Pattern 7: how many tasks a user has, done and not done (idx_tasks_user_completed). */
export const countTasksByStatusQuery = (db: Db, userId: string) =>
  db
    .selectFrom('tasks')
    .select((eb) => ['completed', eb.fn.countAll<string>().as('count')])
    .where('user_id', '=', userId)
    .groupBy('completed');
