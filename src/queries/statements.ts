import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Compilable, type CompiledQuery, type QueryResult } from 'kysely';
import { registerStatement } from '../connection/statement-names.js';
import type { Database } from '../schema.js';

/**
 * A pattern's statement compiled once: the SQL text, and for each `$n` either the
 * name of the value it takes or a constant the builder put there. Kysely builds
 * and compiles a query on every call; the seven patterns' text never changes, so
 * the library compiles each once and only swaps the values.
 */
export interface Template {
  compiled: CompiledQuery;
  /** its name as a prepared statement, when the plan cache is on (src/connection/statement-names.ts) */
  name: string;
  slots: readonly ({ key: string } | { value: unknown })[];
}

/** Compiles without a database: the PostgreSQL compiler and a driver that runs nothing. */
const COMPILER = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * Builds the query once with a unique sentinel per value and records where each
 * sentinel landed among the parameters; anything else is a constant of the query.
 */
export function template<V extends Record<string, unknown>>(build: (db: Kysely<Database>, values: V) => Compilable, sentinels: V): Template {
  const compiled = build(COMPILER, sentinels).compile();
  const keys = Object.keys(sentinels);
  const slots = compiled.parameters.map((p) => {
    const key = keys.find((k) => sentinels[k] === p);
    return key === undefined ? { value: p } : { key };
  });
  const found = new Set(slots.flatMap((s) => ('key' in s ? [s.key] : [])));
  if (found.size !== keys.length) throw new Error(`template: ${keys.filter((k) => !found.has(k)).join(', ')} did not become parameters`);
  return { compiled, name: registerStatement(compiled.sql), slots };
}

/** The template's parameters for these values. */
export function parametersOf(t: Template, values: Record<string, unknown>): unknown[] {
  return t.slots.map((s) => ('key' in s ? values[s.key] : s.value));
}

/** The compiled query with these values, ready for `db.executeQuery`. */
export function compiledWith<R>(t: Template, values: Record<string, unknown>): CompiledQuery<R> {
  return { ...(t.compiled as CompiledQuery<R>), parameters: parametersOf(t, values) };
}

const BACKEND = Symbol.for('todo-db.backend');

/**
 * A compiled template skips Kysely's query transformation, so it is only used
 * when the instance has no plugins but todo-db's own (which changes nothing); with
 * a caller's plugin (CamelCasePlugin, withSchema ...) the builder runs as usual.
 */
export function plainExecutor(db: Kysely<any>): boolean {
  const plugins = db.getExecutor().plugins;
  return plugins.length === 0 || plugins.every((p) => (p as unknown as Record<symbol, unknown>)[BACKEND] === true);
}

/** Runs a template on `db` when its executor allows it, else the builder. */
export function execute<R>(db: Kysely<Database>, t: Template, values: Record<string, unknown>, build: () => Compilable<R>): Promise<QueryResult<R>> {
  return plainExecutor(db) ? db.executeQuery(compiledWith<R>(t, values)) : db.executeQuery(build().compile());
}

/**
 * The template as one SQL text with every value written as a literal: uuids and
 * other strings through the pg driver's own `escapeLiteral` (doubles quotes and
 * backslashes, E'' when there is a backslash, so it reads the same whatever
 * standard_conforming_strings is), integers as digits, booleans and null as
 * keywords (a negative integer in parentheses). Anything else, a NUL in text
 * included, is refused rather than guessed at. Uuids and lengths are the
 * caller's to check before the values come here.
 */
export function inlined(t: Template, values: Record<string, unknown>, escapeLiteral: (text: string) => string): string {
  return substituted(t.compiled.sql, literalsOf(t, values, escapeLiteral));
}

/** Our own constant text with each `$n` replaced, in one pass: a `$n` inside an inserted literal is never re-read. */
export function substituted(sql: string, literals: readonly string[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => literals[Number(n) - 1]!);
}

/** The template's values as SQL literals, in parameter order (for `inlined`, or `execute name(…)`). */
export function literalsOf(t: Template, values: Record<string, unknown>, escapeLiteral: (text: string) => string): string[] {
  return parametersOf(t, values).map((v) => literal(v, escapeLiteral));
}

/** The values as literals, or undefined when one cannot be written as one (then it goes as a bound parameter). */
export function tryLiterals(values: readonly unknown[], escapeLiteral: (text: string) => string): string[] | undefined {
  try {
    return values.map((v) => literal(v, escapeLiteral));
  } catch {
    return undefined;
  }
}

/** pg's escapeLiteral, loaded on first use (a PGlite-only app need not load pg at start-up); PGlite has none of its own. */
export async function driverEscape(): Promise<(text: string) => string> {
  return (pgEscapeLiteral ??= (await import('pg')).default.escapeLiteral);
}
let pgEscapeLiteral: ((text: string) => string) | undefined;

function literal(value: unknown, escapeLiteral: (text: string) => string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // In parentheses when negative, so `- $1` can never become the comment `--1`.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value < 0 ? `(${value})` : String(value);
  // A NUL would end the query text early (the protocol's strings are C strings); as a parameter it is refused cleanly.
  if (typeof value === 'string' && !value.includes('\0')) return escapeLiteral(value);
  throw new TypeError(`cannot write ${typeof value} as a literal`);
}
