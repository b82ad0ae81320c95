import type { Kysely } from 'kysely';
import type { Database, NewTask, Task } from '../schema.js';
import * as q from './builders.js';
import { execute } from './statements.js';
import { TEMPLATES, countsOf, createTemplate, type CountRow, type TaskCounts } from './templates.js';
import { checkTaskFields } from './task-fields.js';

/**
 * The application's hot paths (schema.md "Query patterns"): the functions the app
 * imports, run on whatever `db` it passes (inside `withUser` for RLS). Each runs
 * its pattern's statement compiled once (templates.ts) with this call's values;
 * the builders (`…Query`, builders.ts) stay for EXPLAIN and for instances with
 * plugins of their own. One round trip per call, user included: `asUser`.
 */
type Db = Kysely<Database>;

export * from './builders.js';
export type { TaskCounts } from './templates.js';

/** Pattern 1: a user's tasks, newest first (idx_tasks_user_created). @example const page = await listTasks(db, session.userId, 50); */
export async function listTasks(db: Db, userId: string, limit = 50): Promise<Task[]> {
  return (await execute<Task>(db, TEMPLATES.list(), { userId, limit }, () => q.listTasksQuery(db, userId, limit))).rows;
}

/** Pattern 2: a user's incomplete tasks, newest first. */
export async function listIncompleteTasks(db: Db, userId: string): Promise<Task[]> {
  return (await execute<Task>(db, TEMPLATES.incomplete(), { userId }, () => q.listIncompleteTasksQuery(db, userId))).rows;
}

/** Pattern 3; the database fills id, completed and timestamps. @example const task = await createTask(db, { user_id: userId, title: 'Buy milk' }); */
export async function createTask(db: Db, task: NewTask): Promise<Task> {
  checkTaskFields(task);
  const { rows } = await execute<Task>(db, createTemplate(task), task, () => q.createTaskQuery(db, task));
  if (!rows[0]) throw new Error('insert into tasks returned no row');
  return rows[0];
}

/** The updated task, or undefined when the user has no task with this id. */
export async function updateTask(db: Db, id: string, userId: string, edit: q.TaskEdit): Promise<Task | undefined> {
  checkTaskFields(edit);
  const values = { id, userId, title: edit.title, description: edit.description };
  return (await execute<Task>(db, TEMPLATES.update(), values, () => q.updateTaskQuery(db, id, userId, edit))).rows[0];
}

/** True when the user's task existed and was toggled. */
export async function toggleTask(db: Db, id: string, userId: string): Promise<boolean> {
  const result = await execute(db, TEMPLATES.toggle(), { id, userId }, () => q.toggleTaskQuery(db, id, userId));
  return (result.numAffectedRows ?? 0n) > 0n;
}

/** True when the user's task existed and was deleted. */
export async function deleteTask(db: Db, id: string, userId: string): Promise<boolean> {
  const result = await execute(db, TEMPLATES.delete(), { id, userId }, () => q.deleteTaskQuery(db, id, userId));
  return (result.numAffectedRows ?? 0n) > 0n;
}

/** Pattern 7: how many tasks a user has, done and not done. */
export async function countTasksByStatus(db: Db, userId: string): Promise<TaskCounts> {
  const { rows } = await execute<CountRow>(db, TEMPLATES.count(), { userId }, () => q.countTasksByStatusQuery(db, userId));
  return countsOf(rows);
}
