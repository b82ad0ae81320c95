import { requireWritable } from '../connection/writable.js';
import type { TodoDatabase } from '../connection/open.js';
import { UsageError } from '../errors.js';
import { migrateDown, migrateUp, migrationStatus, type MigrateOptions, type MigrateResult } from './runner.js';

export interface RedoResult {
  down: MigrateResult;
  up: MigrateResult;
}

/**
 * Reverts the newest applied migration (or `from` and every one applied after
 * it) and applies the same ones again: the loop of writing a migration's down.
 * Two runs under the migration lock, one after the other.
 */
export async function migrateRedo(database: TodoDatabase<any>, options: Pick<MigrateOptions, 'dir' | 'confirm'> & { from?: string } = {}): Promise<RedoResult> {
  await requireWritable(database, 'migrate redo');
  const status = await migrationStatus(database, options);
  const applied = status.migrations.filter((m) => m.state === 'applied').map((m) => m.name);
  if (applied.length === 0) throw new UsageError('no migration is applied, so there is nothing to redo', 'run `todo-db migrate up`');
  const first =
    options.from === undefined
      ? applied.length - 1
      : indexOf(
          applied,
          options.from,
          status.migrations.map((m) => m.name),
        );
  const keep = applied[first - 1];
  const newest = applied.at(-1)!;
  const base = { ...(options.dir !== undefined ? { dir: options.dir } : {}), ...(options.confirm ? { confirm: options.confirm } : {}) };
  const down = await migrateDown(database, keep === undefined ? { ...base, all: true } : { ...base, to: keep });
  const up = await migrateUp(database, { ...(options.dir !== undefined ? { dir: options.dir } : {}), to: newest });
  return { down, up };
}

function indexOf(applied: string[], name: string, known: string[]): number {
  const matches = applied.filter((n) => n === name || n.startsWith(name));
  const exact = applied.indexOf(name);
  if (exact >= 0) return exact;
  if (matches.length === 1) return applied.indexOf(matches[0]!);
  if (matches.length > 1) throw new UsageError(`"${name}" names more than one migration: ${matches.join(', ')}`, 'give more of the name');
  if (known.some((n) => n === name || n.startsWith(name)))
    throw new UsageError(`migration ${name} is not applied, so it cannot be redone`, `apply it first: \`todo-db migrate up --to ${name}\``);
  throw new UsageError(`unknown migration "${name}"`, known.length ? `known: ${known.join(', ')}` : 'there are no migrations');
}
