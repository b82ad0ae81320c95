import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SchemaShape, TableShape } from '../contract/types.js';
import { UnsupportedError } from '../errors.js';
import { introspect } from './introspect.js';

class Rollback extends Error {}

/**
 * The contract with every expression (defaults, checks, index columns and
 * predicates, policy USING / WITH CHECK) as this very server renders it. The
 * contract is built in a scratch schema inside a transaction that is rolled back,
 * then read with the same catalog queries as the live schema: PostgreSQL 15 and 18
 * print `length(trim(title)) > 0` differently, and both sides then agree.
 */
export async function normaliseContract(db: Kysely<any>, contract: SchemaShape): Promise<SchemaShape> {
  const { rows } = await sql<{ ok: boolean }>`select has_database_privilege(current_database(), 'CREATE') as ok`.execute(db);
  if (!rows[0]?.ok) {
    throw new UnsupportedError(
      'verify needs a role that may create a schema: it renders the contract in a scratch schema that it rolls back',
      'connect as the maintenance role (DATABASE_URL_UNPOOLED or --url)',
    );
  }
  const schema = `todo_db_verify_${randomBytes(6).toString('hex')}`;
  let rendered: SchemaShape | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`create schema ${sql.id(schema)}`.execute(trx);
      await sql`select set_config('search_path', ${schema}, true)`.execute(trx);
      for (const fn of contract.functions) {
        await sql`create function ${sql.id(fn.name)}(${sql.raw(fn.arguments)}) returns ${sql.raw(fn.returns)}
          language ${sql.raw(fn.language)} ${sql.raw(fn.volatility)} as ${sql.lit(fn.body)}`.execute(trx);
      }
      for (const table of contract.tables) await createTable(trx, table);
      rendered = await introspect(trx, { roles: [] });
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return merge(contract, rendered!);
}

async function createTable(trx: Kysely<any>, table: TableShape): Promise<void> {
  const parts: RawBuilder<unknown>[] = table.columns.map(
    (c) => sql`${sql.id(c.name)} ${sql.raw(c.type)}${c.nullable ? sql`` : sql` not null`}${c.default === null ? sql`` : sql` default ${sql.raw(c.default)}`}`,
  );
  for (const check of table.checks) parts.push(sql`constraint ${sql.id(check.name)} check (${sql.raw(check.expression)})`);
  await sql`create table ${sql.id(table.name)} (${sql.join(parts)})`.execute(trx);
  for (const index of table.indexes) {
    await sql`create ${index.unique ? sql`unique ` : sql``}index ${sql.id(index.name)} on ${sql.id(table.name)} using ${sql.raw(index.method)}
      (${sql.raw(index.columns.join(', '))})${index.where ? sql` where ${sql.raw(index.where)}` : sql``}`.execute(trx);
  }
  for (const p of table.policies) {
    await sql`create policy ${sql.id(p.name)} on ${sql.id(table.name)} as ${sql.raw(p.permissive ? 'permissive' : 'restrictive')}
      for ${sql.raw(p.command)}${p.using === null ? sql`` : sql` using (${sql.raw(p.using)})`}${p.withCheck === null ? sql`` : sql` with check (${sql.raw(p.withCheck)})`}`.execute(trx);
  }
}

/** The contract's own values, with the server's rendering of each expression. */
function merge(contract: SchemaShape, rendered: SchemaShape): SchemaShape {
  return {
    ...contract,
    tables: contract.tables.map((table) => {
      const r = rendered.tables.find((t) => t.name === table.name);
      const find = <T extends { name: string }>(list: T[] | undefined, name: string) => list?.find((x) => x.name === name);
      return {
        ...table,
        columns: table.columns.map((c) => {
          const rc = find(r?.columns, c.name);
          return { ...c, type: rc?.type ?? c.type, default: rc ? rc.default : c.default };
        }),
        checks: table.checks.map((c) => ({ ...c, expression: find(r?.checks, c.name)?.expression ?? c.expression })),
        indexes: table.indexes.map((i) => {
          const ri = find(r?.indexes, i.name);
          return { ...i, columns: ri?.columns ?? i.columns, where: ri ? ri.where ?? null : i.where ?? null };
        }),
        policies: table.policies.map((p) => {
          const rp = find(r?.policies, p.name);
          return { ...p, using: rp ? rp.using : p.using, withCheck: rp ? rp.withCheck : p.withCheck };
        }),
      };
    }),
  };
}
