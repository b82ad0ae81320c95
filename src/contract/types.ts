/**
 * The shape of a schema, as the contract declares it and as introspection reads
 * it back from a live database: verify compares two values of these types.
 */
export type PolicyCommand = 'select' | 'insert' | 'update' | 'delete' | 'all';
export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';
export type Volatility = 'immutable' | 'stable' | 'volatile';
/** Table privileges in the order GRANT statements and verify list them. */
export const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'] as const;
export type Privilege = (typeof PRIVILEGES)[number];

export const sortPrivileges = <P extends string>(list: readonly P[]): P[] =>
  [...list].sort((a, b) => PRIVILEGES.indexOf(a as Privilege) - PRIVILEGES.indexOf(b as Privilege));

export interface ColumnShape {
  name: string;
  /** as `format_type()` prints it: `character varying(255)`, `timestamp with time zone` */
  type: string;
  nullable: boolean;
  /** an SQL expression; the server's own rendering once normalised */
  default: string | null;
}

export interface PrimaryKeyShape {
  name: string;
  columns: string[];
}

export interface ForeignKeyShape {
  name: string;
  columns: string[];
  references: { table: string; columns: string[] };
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface CheckShape {
  name: string;
  expression: string;
}

export interface UniqueShape {
  name: string;
  columns: string[];
}

export interface IndexShape {
  name: string;
  /** key columns in order, `created_at DESC` when descending */
  columns: string[];
  unique: boolean;
  method: string;
  /** partial index predicate */
  where?: string | null;
  /** a failed CREATE INDEX CONCURRENTLY leaves an index the planner ignores */
  invalid?: boolean;
}

export interface TriggerShape {
  name: string;
  timing: 'before' | 'after' | 'instead of';
  events: Array<'insert' | 'update' | 'delete' | 'truncate'>;
  level: 'row' | 'statement';
  function: string;
  enabled: boolean;
}

export interface PolicyShape {
  name: string;
  command: PolicyCommand;
  permissive: boolean;
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

export interface GrantShape {
  role: string;
  privileges: Privilege[];
}

export interface TableShape {
  name: string;
  /** absent for ordinary tables; `view`, `materialized view`, `foreign table` otherwise */
  kind?: string;
  columns: ColumnShape[];
  primaryKey: PrimaryKeyShape | null;
  foreignKeys: ForeignKeyShape[];
  checks: CheckShape[];
  uniques: UniqueShape[];
  /** indexes besides those backing a primary key or unique constraint */
  indexes: IndexShape[];
  triggers: TriggerShape[];
  rls: { enabled: boolean; forced: boolean };
  policies: PolicyShape[];
  /** privileges of the contract's roles (and PUBLIC) on the table */
  grants: GrantShape[];
}

export interface FunctionShape {
  name: string;
  /** identity arguments, `''` for none */
  arguments: string;
  returns: string;
  language: string;
  volatility: Volatility;
  securityDefiner: boolean;
  /** the body as written; compared with whitespace collapsed */
  body: string;
}

export interface RoleShape {
  name: string;
  superuser: boolean;
  login: boolean;
  inherit: boolean;
  createDb: boolean;
  createRole: boolean;
  replication: boolean;
  bypassRls: boolean;
}

export interface SchemaShape {
  tables: TableShape[];
  functions: FunctionShape[];
  roles: RoleShape[];
}

export interface Contract extends SchemaShape {
  version: string;
}
