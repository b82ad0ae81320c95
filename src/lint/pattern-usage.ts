import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { QUERY_PATTERNS } from '../queries/patterns.js';
import { collectNodes } from './ast.js';
import { parseSql } from './parse.js';

/** table → columns the app's queries name; '*' when a query reads or returns every column. */
export type PatternUsage = Map<string, Set<string>>;

let usage: Promise<PatternUsage> | undefined;

/**
 * The tables and columns the seven query patterns use, read from the SQL they
 * compile to (the patterns are the data: a new pattern is covered without a list here).
 */
export function patternUsage(): Promise<PatternUsage> {
  usage ??= (async () => {
    const db = new Kysely<any>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (k) => new PostgresIntrospector(k),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    const params = { userId: '00000000-0000-0000-0000-000000000000', taskId: '00000000-0000-0000-0000-000000000000', limit: 1 };
    const out: PatternUsage = new Map();
    for (const pattern of QUERY_PATTERNS) {
      const parsed = await parseSql(pattern.build(db, params).compile().sql);
      if (!('statements' in parsed)) continue;
      for (const statement of parsed.statements) {
        const tables = collectNodes(statement.node, 'RangeVar').map((r) => r.relname as string);
        if (statement.node.relation?.relname) tables.push(statement.node.relation.relname);
        const columns = new Set<string>();
        for (const ref of collectNodes(statement.node, 'ColumnRef')) {
          const last = ref.fields?.at(-1);
          columns.add(last?.A_Star ? '*' : last?.String?.sval);
        }
        for (const target of collectNodes(statement.node, 'ResTarget')) if (target.name) columns.add(target.name);
        for (const table of tables) {
          const set = out.get(table) ?? new Set<string>();
          for (const c of columns) if (c) set.add(c);
          out.set(table, set);
        }
      }
    }
    await db.destroy();
    return out;
  })();
  return usage;
}
