import { randomUUID } from 'node:crypto';
import { PostgresDialect, type Dialect, type DialectAdapter } from 'kysely';

/**
 * An in-memory pg-mem database with the functions it lacks registered. It has no
 * plpgsql, RLS, roles or statistics; migrations skip those steps with a notice.
 */
export async function createPgMemDialect(adapter: DialectAdapter): Promise<Dialect> {
  const { newDb, DataType } = await import('pg-mem');
  const mem = newDb({ autoCreateForeignKeyIndices: false, noAstCoverageCheck: true });
  const schema = mem.public;
  schema.registerFunction({ name: 'gen_random_uuid', returns: DataType.uuid, implementation: () => randomUUID(), impure: true });
  schema.registerFunction({ name: 'pg_try_advisory_lock', args: [DataType.bigint], returns: DataType.bool, implementation: () => true, impure: true });
  schema.registerFunction({ name: 'pg_advisory_unlock', args: [DataType.bigint], returns: DataType.bool, implementation: () => true, impure: true });
  schema.registerFunction({ name: 'version', returns: DataType.text, implementation: () => 'pg-mem (in-memory PostgreSQL emulation)' });
  schema.registerFunction({ name: 'length', args: [DataType.text], returns: DataType.integer, implementation: (s: string) => [...s].length });
  schema.registerFunction({ name: 'trim', args: [DataType.text], returns: DataType.text, implementation: (s: string) => s.trim() });
  const { Pool } = mem.adapters.createPg();
  const base = new PostgresDialect({ pool: new Pool() });
  return {
    createAdapter: () => adapter,
    createDriver: () => base.createDriver(),
    createIntrospector: (db) => base.createIntrospector(db),
    createQueryCompiler: () => base.createQueryCompiler(),
  };
}
