import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Timestamps the database fills in (defaults and the updated_at trigger). */
type ServerTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** `users`, managed by Better Auth (schema.md). */
export interface UsersTable {
  id: Generated<string>;
  email: string;
  email_verified: ColumnType<boolean, boolean | undefined, boolean>;
  name: string | null;
  image: string | null;
  created_at: ServerTimestamp;
  updated_at: ServerTimestamp;
}

/** `tasks`, the user-owned todo items (schema.md). */
export interface TasksTable {
  id: Generated<string>;
  user_id: string;
  title: string;
  description: string | null;
  completed: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ServerTimestamp;
  updated_at: ServerTimestamp;
}

/** `tasks_archive` (contract v1.1.0): completed tasks moved out by `todo-db archive`. */
export interface TasksArchiveTable {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
  archived_at: ServerTimestamp;
}

/** The typed database of the Todo app. */
export interface Database {
  users: UsersTable;
  tasks: TasksTable;
  tasks_archive: TasksArchiveTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Task = Selectable<TasksTable>;
export type NewTask = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;
export type ArchivedTask = Selectable<TasksArchiveTable>;
