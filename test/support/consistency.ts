import { adminQuery } from './postgres.js';

/** What each migration leaves in the catalog, to compare with what is recorded. */
const EVIDENCE: Record<string, string> = {
  '0001_create_users': `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'users'`,
  '0002_create_tasks': `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'tasks'`,
  '0003_updated_at_triggers': `select count(*)::int as n from pg_proc where proname = 'set_updated_at'`,
  '0004_row_level_security': `select count(*)::int as n from pg_policies where tablename = 'tasks'`,
  '0005_tasks_archive': `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'tasks_archive'`,
  '0007_slow_step': `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'slow_marker'`,
};

/**
 * The schema holds exactly the objects of the migrations recorded as applied:
 * returns the migrations whose evidence disagrees with the record (empty when consistent).
 */
export async function inconsistentMigrations(database: string): Promise<string[]> {
  const tables = await adminQuery<{ n: number }>(`select count(*)::int as n from pg_tables where tablename = 'kysely_migration'`, database);
  const recorded = new Set(tables[0]?.n ? (await adminQuery<{ name: string }>('select name from kysely_migration', database)).map((r) => r.name) : []);
  const wrong: string[] = [];
  for (const [name, query] of Object.entries(EVIDENCE)) {
    const present = ((await adminQuery<{ n: number }>(query, database))[0]?.n ?? 0) > 0;
    if (present !== recorded.has(name)) wrong.push(`${name}: ${recorded.has(name) ? 'recorded but absent' : 'present but not recorded'}`);
  }
  return wrong;
}
