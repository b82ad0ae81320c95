import { APP_ROLE, PROTECTED_TABLES, type ProtectedTable } from './declaration.js';

/** The tables sql/rls.sql and sql/rls-archive.sql set up themselves. */
export const SCRIPTED_TABLES: readonly string[] = ['users', 'tasks', 'tasks_archive'];

const id = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The RLS setup the snapshot declares for every other tenant table (an app's own,
 * added by its migrations): flags, todo_app's privileges exactly, the policies
 * exactly. Idempotent, like the scripts, so `rls apply` can run it on any state.
 */
export function snapshotRlsSql(tables: readonly ProtectedTable[] = PROTECTED_TABLES): string {
  return tables
    .filter((t) => !SCRIPTED_TABLES.includes(t.table))
    .map((t) => {
      const table = id(t.table);
      const keep = t.policies.map((p) => `'${p.name.replace(/'/g, "''")}'`).join(', ') || "''";
      return [
        `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`,
        `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`,
        `REVOKE ALL ON ${table} FROM ${APP_ROLE};`,
        t.privileges.length ? `GRANT ${t.privileges.join(', ')} ON ${table} TO ${APP_ROLE};` : '',
        `DO $$ DECLARE p record; BEGIN FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = current_schema() AND tablename = '${t.table.replace(/'/g, "''")}' AND policyname NOT IN (${keep}) LOOP EXECUTE format('DROP POLICY %I ON %I', p.policyname, '${t.table.replace(/'/g, "''")}'); END LOOP; END $$;`,
        ...t.policies.flatMap((p) => [
          `DROP POLICY IF EXISTS ${id(p.name)} ON ${table};`,
          `CREATE POLICY ${id(p.name)} ON ${table} FOR ${p.command} TO ${p.roles.map((r) => (r === 'public' ? 'PUBLIC' : id(r))).join(', ')}` +
            `${p.using === null ? '' : ` USING (${p.using})`}${p.withCheck === null ? '' : ` WITH CHECK (${p.withCheck})`};`,
        ]),
      ]
        .filter(Boolean)
        .join('\n');
    })
    .join('\n');
}
