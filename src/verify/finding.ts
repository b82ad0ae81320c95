/** What verify reports: one difference between the contract and the live database. */
export interface Finding {
  kind: 'missing' | 'unexpected' | 'different';
  /** the object as people name it: `tasks.title`, `idx_tasks_user_created`, `policy tasks_update_own` */
  object: string;
  type: FindingType;
  /** the table it belongs to, for grouping; null for functions and roles */
  table: string | null;
  /** what the contract says, as text; null when the object should not exist */
  expected: string | null;
  /** what the database has, as text; null when it is missing */
  actual: string | null;
  message: string;
  /** SQL or a command that repairs it, when one is obvious */
  fix?: string;
}

export type FindingType =
  | 'table'
  | 'column'
  | 'primary key'
  | 'foreign key'
  | 'check'
  | 'unique'
  | 'index'
  | 'trigger'
  | 'row-level security'
  | 'policy'
  | 'grant'
  | 'function'
  | 'role';
