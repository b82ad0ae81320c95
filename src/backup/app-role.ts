import { sql, type Kysely } from 'kysely';
import { readSql } from '../sql-file.js';

/**
 * pg_dump does not dump roles (they belong to the cluster), yet a backup's grants
 * and policies name `todo_app`. Before restoring, create the role the way
 * sql/rls.sql does: that file's role block is run, not copied. (The block is not a
 * file of its own because sql/rls.sql is part of migration 0004's checksum: moving
 * it would flag 0004 as edited on every database that has applied it.)
 */
export async function ensureAppRole(db: Kysely<any>): Promise<void> {
  await sql.raw(roleBlock()).execute(db);
}

export function roleBlock(): string {
  const blocks = readSql('rls.sql').match(/DO \$\$[\s\S]*?END \$\$;/g) ?? [];
  const block = blocks.find((b) => /CREATE ROLE todo_app/i.test(b));
  // A programming error, not bad input: sql/rls.sql lost the block restores depend on.
  if (!block) throw new Error('sql/rls.sql has no DO block that creates todo_app; restore cannot create the role');
  return block;
}
