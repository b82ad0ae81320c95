import type { Contract, TableShape } from './types.js';
import { APP_ROLE, CONTRACT_V1_0, ownedBy, policy } from './v1.js';

/**
 * v1.1.0 = v1.0.0 plus `tasks_archive` (migration 0005_tasks_archive): completed
 * tasks moved out of `tasks` by `todo-db archive`. The task columns with the same
 * types, plus `archived_at`; no defaults on the copied columns, since every value
 * comes from the task. The app reads and deletes its own archived tasks; only the
 * maintenance role writes them, so todo_app has no INSERT or UPDATE (fail closed).
 */
export const TASKS_ARCHIVE: TableShape = {
  name: 'tasks_archive',
  columns: [
    { name: 'id', type: 'uuid', nullable: false, default: null },
    { name: 'user_id', type: 'uuid', nullable: false, default: null },
    { name: 'title', type: 'character varying(200)', nullable: false, default: null },
    { name: 'description', type: 'character varying(1000)', nullable: true, default: null },
    { name: 'completed', type: 'boolean', nullable: false, default: null },
    { name: 'created_at', type: 'timestamp with time zone', nullable: false, default: null },
    { name: 'updated_at', type: 'timestamp with time zone', nullable: false, default: null },
    { name: 'archived_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
  ],
  primaryKey: { name: 'tasks_archive_pkey', columns: ['id'] },
  foreignKeys: [
    // Deleting an account deletes its history too.
    { name: 'tasks_archive_user_id_fkey', columns: ['user_id'], references: { table: 'users', columns: ['id'] }, onDelete: 'cascade', onUpdate: 'no action' },
  ],
  checks: [{ name: 'tasks_archive_title_not_empty', expression: 'length(trim(title)) > 0' }],
  uniques: [],
  indexes: [
    // "My archived tasks, most recent first"; its leading column also serves the foreign key.
    { name: 'idx_tasks_archive_user_archived', columns: ['user_id', 'archived_at DESC'], unique: false, method: 'btree' },
  ],
  triggers: [],
  rls: { enabled: true, forced: true },
  policies: [policy('tasks_archive_select_own', 'select', ownedBy('user_id'), null), policy('tasks_archive_delete_own', 'delete', ownedBy('user_id'), null)],
  grants: [{ role: APP_ROLE, privileges: ['SELECT', 'DELETE'] }],
};

export const CONTRACT_V1_1: Contract = {
  ...CONTRACT_V1_0,
  version: '1.1.0',
  tables: [...CONTRACT_V1_0.tables, TASKS_ARCHIVE],
};
