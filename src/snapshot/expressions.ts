import { loadModule, parseSync } from 'libpg-query';

/**
 * Expressions are compared as the server renders them, but PostgreSQL 15 and 18
 * render some differently (16+ drops the table name from columns of a view over
 * one table: `t.a` becomes `a`). Both renderings go through the real PostgreSQL
 * parser (libpg-query) into one form: the parse tree without source positions,
 * column references unqualified where the query reads one relation.
 */
export type ExpressionForm = 'expression' | 'statement' | 'constraint';

let loading: Promise<void> | undefined;

/** The parser is WebAssembly: load it once before comparing. */
export async function loadParser(): Promise<void> {
  loading ??= loadModule();
  await loading;
}

const cache = new Map<string, string>();

/** One text per meaning: equal for two renderings of the same expression. */
export function canonical(text: string, form: ExpressionForm): string {
  const key = `${form}\0${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let result: string;
  try {
    const source = form === 'expression' ? `SELECT ${text}` : form === 'constraint' ? `ALTER TABLE t ADD ${text}` : text;
    result = JSON.stringify(normalise(parseSync(source).stmts));
  } catch {
    // Not parseable on its own (or the parser is not loaded): compare as text.
    result = squash(text);
  }
  cache.set(key, result);
  return result;
}

export const squash = (text: string): string => text.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim();

export function sameExpression(a: string | null, b: string | null, form: ExpressionForm): boolean {
  if (a === null || b === null) return a === b;
  return a === b || canonical(a, form) === canonical(b, form);
}

function normalise(node: unknown, only: string | null = null): unknown {
  if (Array.isArray(node)) return node.map((n) => normalise(n, only));
  if (node === null || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  if ('SelectStmt' in record) return { SelectStmt: select(record.SelectStmt as Record<string, unknown>) };
  if ('ColumnRef' in record && only !== null) {
    const ref = record.ColumnRef as { fields: Array<{ String?: { sval: string } }> };
    if (ref.fields.length === 2 && ref.fields[0]?.String?.sval === only) {
      return { ColumnRef: normalise({ ...ref, fields: ref.fields.slice(1) }, only) };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === 'location' || k === 'stmt_location' || k === 'stmt_len') continue;
    out[k] = normalise(v, only);
  }
  return out;
}

/** A query over exactly one relation: its name (or alias) qualifies nothing. */
function select(stmt: Record<string, unknown>): unknown {
  const from = stmt.fromClause as Array<{ RangeVar?: { relname: string; alias?: { aliasname: string } } }> | undefined;
  const only = from?.length === 1 && from[0]?.RangeVar ? (from[0].RangeVar.alias?.aliasname ?? from[0].RangeVar.relname) : null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stmt)) {
    if (k === 'location') continue;
    out[k] = normalise(v, only);
  }
  return out;
}
