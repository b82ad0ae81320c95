import { packageSnapshot } from '../snapshot/package-snapshot.js';
import { UsageError } from '../errors.js';
import type { TasksTable } from '../schema.js';

/** Column lengths come from the schema snapshot, so they cannot drift from the schema. */
function maxLength(column: string): number {
  const type = String(packageSnapshot().objects[`column tasks.${column}`]?.attrs.type ?? '');
  const n = /\((\d+)\)/.exec(type)?.[1];
  if (!n) throw new Error(`the schema snapshot gives tasks.${column} no length`);
  return Number(n);
}

/**
 * The tasks table's columns in table order, as the schema snapshot declares them.
 * The patterns name them instead of `*`, so a migration that adds a column does
 * not change what a prepared pattern returns (PostgreSQL would refuse its cached
 * plan: "cached plan must not change result type", docs/plan-cache.md).
 */
export function taskColumns(): readonly (keyof TasksTable & string)[] {
  columns ??= Object.entries(packageSnapshot().objects)
    .filter(([key]) => key.startsWith('column tasks.'))
    .sort(([, a], [, b]) => Number(a.attrs.position) - Number(b.attrs.position))
    .map(([key]) => key.slice('column tasks.'.length) as keyof TasksTable & string);
  if (columns.length === 0) throw new Error('the schema snapshot declares no columns of tasks (run `todo-db schema snapshot`)');
  return columns;
}
let columns: readonly (keyof TasksTable & string)[] | undefined;

let limits: { title: number; description: number } | undefined;
const LIMITS = () => (limits ??= { title: maxLength('title'), description: maxLength('description') });

/**
 * Checks a task's text before it reaches the database, so bad input gets one clear
 * message instead of a check-constraint or encoding error, and nothing is written.
 */
export function checkTaskFields(fields: { title?: unknown; description?: unknown }): void {
  if ('title' in fields) {
    const title = checkText('title', fields.title, LIMITS().title);
    if (title.trim() === '') throw new UsageError('a task title cannot be empty or only spaces', 'give the task a title');
  }
  if ('description' in fields && fields.description !== null && fields.description !== undefined) {
    checkText('description', fields.description, LIMITS().description);
  }
}

function checkText(field: string, value: unknown, limit: number): string {
  if (typeof value !== 'string') throw new UsageError(`a task ${field} must be text, got ${value === null ? 'null' : typeof value}`);
  if (value.includes('\0')) throw new UsageError(`a task ${field} cannot contain a NUL byte`, 'remove the \\0 character');
  const length = [...value].length;
  if (length > limit) throw new UsageError(`a task ${field} is at most ${limit} characters, got ${length}`, `shorten the ${field}`);
  return value;
}
