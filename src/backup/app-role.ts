import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { packageRoot } from '../migrations/files.js';

/**
 * pg_dump does not dump roles (they belong to the cluster), yet a backup's grants
 * and policies name `todo_app`. Before restoring, create the role the way
 * sql/rls.sql does: that file's role block is run, not copied.
 */
export async function ensureAppRole(db: Kysely<any>): Promise<void> {
  const block = roleBlock();
  if (block) await sql.raw(block).execute(db);
}

function roleBlock(): string | null {
  const text = readFileSync(join(packageRoot(), 'sql', 'rls.sql'), 'utf8');
  const blocks = text.match(/DO \$\$[\s\S]*?END \$\$;/g) ?? [];
  return blocks.find((b) => /CREATE ROLE todo_app/i.test(b)) ?? null;
}
