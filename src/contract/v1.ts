import type { ColumnShape, Contract, GrantShape, PolicyShape, RoleShape, TriggerShape } from './types.js';

/**
 * The v1.0.0 schema contract (../shared/spec/schema.md), declared once, as
 * migrations 0001–0004 leave the database. Frozen: a schema change is a new
 * contract version (src/contract/v1-1.ts) beside a new migration. Types are written as `format_type()` prints
 * them; expressions as a person would write them (verify normalises both sides
 * through the server before comparing).
 */
/** The application role: RLS applies to it; it owns nothing. */
export const APP_ROLE = 'todo_app';

export const timestamps: ColumnShape[] = [
  { name: 'created_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
  { name: 'updated_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
];

export const id: ColumnShape = { name: 'id', type: 'uuid', nullable: false, default: 'gen_random_uuid()' };

/** Exactly these four privileges, nothing else (no TRUNCATE, REFERENCES, TRIGGER). */
const appGrants: GrantShape[] = [{ role: APP_ROLE, privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] }];

const updatedAtTrigger = (table: string): TriggerShape => ({
  name: `${table}_set_updated_at`,
  timing: 'before',
  events: ['update'],
  level: 'row',
  function: 'set_updated_at',
  enabled: true,
});

/** The sub-select runs once per statement, not once per row. */
export const ownedBy = (column: string) => `${column} = (SELECT app_current_user_id())`;

export const policy = (name: string, command: PolicyShape['command'], using: string | null, withCheck: string | null): PolicyShape => ({
  name,
  command,
  permissive: true,
  roles: [APP_ROLE],
  using,
  withCheck,
});

export const APP_ROLE_ATTRIBUTES: RoleShape = {
  name: APP_ROLE,
  superuser: false,
  login: false,
  inherit: true,
  createDb: false,
  createRole: false,
  replication: false,
  bypassRls: false,
};

export const CONTRACT_V1_0: Contract = {
  version: '1.0.0',
  tables: [
    {
      name: 'users',
      columns: [
        id,
        { name: 'email', type: 'character varying(255)', nullable: false, default: null },
        { name: 'email_verified', type: 'boolean', nullable: false, default: 'false' },
        { name: 'name', type: 'character varying(255)', nullable: true, default: null },
        { name: 'image', type: 'text', nullable: true, default: null },
        ...timestamps,
      ],
      primaryKey: { name: 'users_pkey', columns: ['id'] },
      foreignKeys: [],
      checks: [],
      uniques: [],
      indexes: [
        { name: 'idx_users_email', columns: ['email'], unique: true, method: 'btree' },
        { name: 'idx_users_created_at', columns: ['created_at'], unique: false, method: 'btree' },
      ],
      triggers: [updatedAtTrigger('users')],
      rls: { enabled: true, forced: true },
      policies: [policy('users_select_self', 'select', ownedBy('id'), null), policy('users_update_self', 'update', ownedBy('id'), ownedBy('id'))],
      grants: appGrants,
    },
    {
      name: 'tasks',
      columns: [
        id,
        { name: 'user_id', type: 'uuid', nullable: false, default: null },
        { name: 'title', type: 'character varying(200)', nullable: false, default: null },
        { name: 'description', type: 'character varying(1000)', nullable: true, default: null },
        { name: 'completed', type: 'boolean', nullable: false, default: 'false' },
        ...timestamps,
      ],
      primaryKey: { name: 'tasks_pkey', columns: ['id'] },
      foreignKeys: [
        { name: 'tasks_user_id_fkey', columns: ['user_id'], references: { table: 'users', columns: ['id'] }, onDelete: 'cascade', onUpdate: 'no action' },
      ],
      checks: [{ name: 'tasks_title_not_empty', expression: 'length(trim(title)) > 0' }],
      uniques: [],
      indexes: [
        { name: 'idx_tasks_user_id', columns: ['user_id'], unique: false, method: 'btree' },
        { name: 'idx_tasks_user_completed', columns: ['user_id', 'completed'], unique: false, method: 'btree' },
        { name: 'idx_tasks_created_at', columns: ['created_at'], unique: false, method: 'btree' },
        { name: 'idx_tasks_updated_at', columns: ['updated_at'], unique: false, method: 'btree' },
        { name: 'idx_tasks_user_created', columns: ['user_id', 'created_at DESC'], unique: false, method: 'btree' },
      ],
      triggers: [updatedAtTrigger('tasks')],
      rls: { enabled: true, forced: true },
      policies: [
        policy('tasks_select_own', 'select', ownedBy('user_id'), null),
        policy('tasks_insert_own', 'insert', null, ownedBy('user_id')),
        // WITH CHECK as well as USING: a task cannot be moved to another user.
        policy('tasks_update_own', 'update', ownedBy('user_id'), ownedBy('user_id')),
        policy('tasks_delete_own', 'delete', ownedBy('user_id'), null),
      ],
      grants: appGrants,
    },
  ],
  functions: [
    {
      name: 'app_current_user_id',
      arguments: '',
      returns: 'uuid',
      language: 'sql',
      volatility: 'stable',
      securityDefiner: false,
      body: "SELECT nullif(current_setting('app.current_user_id', true), '')::uuid",
    },
    {
      name: 'set_updated_at',
      arguments: '',
      returns: 'trigger',
      language: 'plpgsql',
      volatility: 'volatile',
      securityDefiner: false,
      body: 'begin new.updated_at := now(); return new; end',
    },
  ],
  roles: [APP_ROLE_ATTRIBUTES],
};
