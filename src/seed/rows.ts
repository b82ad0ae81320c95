/**
 * Rows as the loaders take them: every column, in table order, timestamps as ISO
 * strings, so the same object feeds COPY text, a blob COPY and a Kysely insert.
 */
export interface UserRow {
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
  image: string | null;
  created_at: string;
  updated_at: string;
}

export interface TaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export interface Rows {
  users: UserRow;
  tasks: TaskRow;
}

export type SeedTable = keyof Rows;

/** Column order for COPY and inserts, declared once. */
export const COLUMNS: { readonly [T in SeedTable]: readonly (keyof Rows[T] & string)[] } = {
  users: ['id', 'email', 'email_verified', 'name', 'image', 'created_at', 'updated_at'],
  tasks: ['id', 'user_id', 'title', 'description', 'completed', 'created_at', 'updated_at'],
};
