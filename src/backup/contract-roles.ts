import { sql, type Kysely } from 'kysely';
import { readSql } from '../sql-file.js';

/** The SQL files that create the contract's roles: todo_app (v1.0.0) and todo_auth (v1.2.0). */
const ROLE_FILES = ['rls.sql', 'rls-auth.sql'] as const;

/**
 * pg_dump does not dump roles (they belong to the cluster), yet a backup's grants
 * and policies name `todo_app` and `todo_auth`. Before restoring, create them the
 * way sql/ does: each file's role block is run, not copied. (The blocks are not
 * files of their own because sql/rls.sql and sql/rls-auth.sql are part of the
 * checksums of migrations 0004 and 0006: moving them would flag those migrations as
 * edited on every database that has applied them.)
 */
export async function ensureContractRoles(db: Kysely<any>): Promise<void> {
  for (const block of roleBlocks()) await sql.raw(block).execute(db);
}

/** The DO blocks that create a role, in file order (todo_app first). */
export function roleBlocks(): string[] {
  const blocks = ROLE_FILES.flatMap((file) => (readSql(file).match(/DO \$\$[\s\S]*?END \$\$;/g) ?? []).filter((b) => /CREATE ROLE \w+/i.test(b)));
  // A programming error, not bad input: sql/ lost a block restores depend on.
  if (blocks.length !== ROLE_FILES.length) throw new Error(`expected one role block in each of ${ROLE_FILES.join(', ')}; restore cannot create the roles`);
  return blocks;
}
