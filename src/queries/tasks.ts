import type { Kysely } from 'kysely';
import type { Database, NewTask, Task } from '../schema.js';
import { checkTaskFields } from './task-fields.js';

/**
 * The application's hot paths (schema.md "Query patterns"), each declared once.
 * Every pattern has a builder (`…Query`, compiled by `monitor queries` for EXPLAIN)
 * and a function that runs it; the app imports the functions. Every write is
 * scoped by `user_id` too, so a wrong id can never touch another user's task even
 * where row-level security is not in force.
 */
type Db = Kysely<Database>;

/** The fields a user may edit (pattern 4). */
export interface TaskEdit {
  title: string;
  description: string | null;
}

/** Pattern 1: a user's tasks, newest first (idx_tasks_user_created). */
export const listTasksQuery = (db: Db, userId: string, limit: number) =>
  db.selectFrom('tasks').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').limit(limit);

/** @example const page = await listTasks(db, session.userId, 50); */
export function listTasks(db: Db, userId: string, limit = 50): Promise<Task[]> {
  return listTasksQuery(db, userId, limit).execute();
}

/** Pattern 2: a user's incomplete tasks, newest first (idx_tasks_user_completed or idx_tasks_user_created). */
export const listIncompleteTasksQuery = (db: Db, userId: string) =>
  db.selectFrom('tasks').selectAll().where('user_id', '=', userId).where('completed', '=', false).orderBy('created_at', 'desc');

export function listIncompleteTasks(db: Db, userId: string): Promise<Task[]> {
  return listIncompleteTasksQuery(db, userId).execute();
}

/** Pattern 3: create a task; the database fills id, completed and timestamps. */
export const createTaskQuery = (db: Db, task: NewTask) => db.insertInto('tasks').values(task).returningAll();

/** @example const task = await createTask(db, { user_id: userId, title: 'Buy milk' }); */
export async function createTask(db: Db, task: NewTask): Promise<Task> {
  checkTaskFields(task);
  return createTaskQuery(db, task).executeTakeFirstOrThrow();
}

/** Pattern 4: edit title and description of the user's own task (tasks_pkey). */
export const updateTaskQuery = (db: Db, id: string, userId: string, edit: TaskEdit) =>
  db.updateTable('tasks').set({ title: edit.title, description: edit.description }).where('id', '=', id).where('user_id', '=', userId).returningAll();

/** The updated task, or undefined when the user has no task with this id. */
export async function updateTask(db: Db, id: string, userId: string, edit: TaskEdit): Promise<Task | undefined> {
  checkTaskFields(edit);
  return updateTaskQuery(db, id, userId, edit).executeTakeFirst();
}

/** Pattern 5: flip completion in the database, so two clicks never race on a stale value (tasks_pkey). */
export const toggleTaskQuery = (db: Db, id: string, userId: string) =>
  db
    .updateTable('tasks')
    .set((eb) => ({ completed: eb.not('completed') }))
    .where('id', '=', id)
    .where('user_id', '=', userId);

/** True when the user's task existed and was toggled. */
export async function toggleTask(db: Db, id: string, userId: string): Promise<boolean> {
  const result = await toggleTaskQuery(db, id, userId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Pattern 6: delete the user's own task (tasks_pkey). */
export const deleteTaskQuery = (db: Db, id: string, userId: string) => db.deleteFrom('tasks').where('id', '=', id).where('user_id', '=', userId);

/** True when the user's task existed and was deleted. */
export async function deleteTask(db: Db, id: string, userId: string): Promise<boolean> {
  const result = await deleteTaskQuery(db, id, userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Pattern 7: how many tasks a user has, done and not done (idx_tasks_user_completed). */
export const countTasksByStatusQuery = (db: Db, userId: string) =>
  db
    .selectFrom('tasks')
    .select((eb) => ['completed', eb.fn.countAll<string>().as('count')])
    .where('user_id', '=', userId)
    .groupBy('completed');

export interface TaskCounts {
  completed: number;
  open: number;
}

export async function countTasksByStatus(db: Db, userId: string): Promise<TaskCounts> {
  const rows = await countTasksByStatusQuery(db, userId).execute();
  const of = (completed: boolean) => Number(rows.find((r) => r.completed === completed)?.count ?? 0);
  return { completed: of(true), open: of(false) };
}
