/** Each pattern's statement compiled once, for the typed functions (parameters) and asUser (literals). */
import type { NewTask } from '../schema.js';
import * as q from './builders.js';
import { template, type Template } from './statements.js';

/** Pattern 7's result, as both paths map it. */
export interface TaskCounts {
  completed: number;
  open: number;
}

export interface CountRow {
  completed: boolean;
  count: string | number;
}

/** Both statuses, zero when the user has none (the query only returns groups that exist). */
export function countsOf(rows: readonly CountRow[]): TaskCounts {
  const of = (completed: boolean) => Number(rows.find((r) => r.completed === completed)?.count ?? 0);
  return { completed: of(true), open: of(false) };
}

/** Sentinels: values no caller sends, so the template can tell where each one lands. */
const S = {
  userId: '00000000-0000-4000-8000-00000000a5e1',
  id: '00000000-0000-4000-8000-00000000a5e2',
  limit: 987_654_321,
  title: '\u0001title',
  description: '\u0001description',
};

const once = (make: () => Template) => {
  let t: Template | undefined;
  return () => (t ??= make());
};

/** Each pattern's statement, compiled on first use (src/queries/statements.ts). */
export const TEMPLATES = {
  list: once(() => template((db, v: { userId: string; limit: number }) => q.listTasksQuery(db, v.userId, v.limit), { userId: S.userId, limit: S.limit })),
  incomplete: once(() => template((db, v: { userId: string }) => q.listIncompleteTasksQuery(db, v.userId), { userId: S.userId })),
  update: once(() =>
    template((db, v: { id: string; userId: string; title: string; description: string }) => q.updateTaskQuery(db, v.id, v.userId, v), {
      id: S.id,
      userId: S.userId,
      title: S.title,
      description: S.description,
    }),
  ),
  toggle: once(() => template((db, v: { id: string; userId: string }) => q.toggleTaskQuery(db, v.id, v.userId), { id: S.id, userId: S.userId })),
  delete: once(() => template((db, v: { id: string; userId: string }) => q.deleteTaskQuery(db, v.id, v.userId), { id: S.id, userId: S.userId })),
  count: once(() => template((db, v: { userId: string }) => q.countTasksByStatusQuery(db, v.userId), { userId: S.userId })),
};

/** Inserts name their columns, so there is one template per set of columns given (almost always the same one). */
const createTemplates = new Map<string, Template>();
export function createTemplate(task: NewTask): Template {
  const columns = Object.keys(task).filter((k) => (task as Record<string, unknown>)[k] !== undefined);
  const key = columns.join(',');
  let t = createTemplates.get(key);
  if (!t) {
    const sentinels = Object.fromEntries(columns.map((c) => [c, `\u0001${c}`]));
    t = template((db, v) => q.createTaskQuery(db, v as unknown as NewTask), sentinels);
    if (createTemplates.size < 64) createTemplates.set(key, t);
  }
  return t;
}
