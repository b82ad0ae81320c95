import { calledFunctions, typeNameOf } from './ast.js';
import type { RuleContext } from './types.js';

type Ctx = Pick<RuleContext, 'columnType' | 'volatility'>;

const SERIAL = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** Why ADD COLUMN would rewrite the table, or null when it is a catalog-only change (PostgreSQL 11+). */
export function addColumnRewriteReason(def: any, ctx: Pick<RuleContext, 'volatility'>): string | null {
  if (!def) return null;
  if (SERIAL.has(typeNameOf(def.typeName).name)) return `${typeNameOf(def.typeName).name} fills every row from a sequence`;
  for (const item of def.constraints ?? []) {
    const c = item.Constraint ?? {};
    if (c.contype === 'CONSTR_IDENTITY') return 'an identity column fills every row from a sequence';
    if (c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v') return 'a stored generated column computes every row';
    if (c.contype === 'CONSTR_DEFAULT') {
      const volatile = calledFunctions(c.raw_expr).find((fn) => (ctx.volatility(fn) ?? 'v') === 'v');
      if (volatile) return `the default calls ${volatile}(), which pg_proc marks volatile, so each row gets its own value`;
    }
  }
  return null;
}

export function addColumnRewrites(def: any, ctx: Pick<RuleContext, 'volatility'>): boolean {
  return addColumnRewriteReason(def, ctx) !== null;
}

/** format_type() names of the types the parser calls by their internal names. */
const CANONICAL: Record<string, string> = {
  varchar: 'character varying',
  bpchar: 'character',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
  varbit: 'bit varying',
};

interface TypeSpec {
  base: string;
  mods: number[];
}

/** `character varying(200)` → { base: 'character varying', mods: [200] } */
export function parseFormattedType(text: string): TypeSpec {
  const m = /^(.*?)(?:\(([\d,\s]+)\))?(\[\])?$/.exec(text.trim());
  const base = (m?.[1] ?? text).trim() + (m?.[3] ?? '');
  const mods = m?.[2] ? m[2].split(',').map((s) => Number(s.trim())) : [];
  return { base, mods };
}

function newTypeOf(typeName: any): TypeSpec {
  const t = typeNameOf(typeName);
  return { base: (CANONICAL[t.name] ?? t.name) + (t.arrayBounds ? '[]' : ''), mods: t.mods };
}

/**
 * Whether ALTER COLUMN … TYPE rewrites the table: PostgreSQL skips the rewrite only
 * for binary-coercible changes that cannot fail (ATColumnChangeRequiresRewrite):
 * a longer or unlimited varchar, varchar ↔ text, a wider numeric with the same scale.
 * An unknown old type (a column made in the same migration) counts as a rewrite.
 */
export function typeChangeRewrites(table: string, column: string, def: any, ctx: Ctx): boolean {
  if (def?.raw_default) return true; // USING computes every row
  const oldText = ctx.columnType(table, column);
  if (!oldText) return true;
  return !coercibleWithoutRewrite(parseFormattedType(oldText), newTypeOf(def?.typeName));
}

function coercibleWithoutRewrite(from: TypeSpec, to: TypeSpec): boolean {
  const textual = (b: string) => b === 'character varying' || b === 'text';
  if (textual(from.base) && textual(to.base)) {
    if (to.base === 'text' || to.mods.length === 0) return true;
    if (from.base === 'text' || from.mods.length === 0) return false; // adding a limit checks every row
    return (to.mods[0] ?? 0) >= (from.mods[0] ?? 0);
  }
  if (from.base === 'numeric' && to.base === 'numeric') {
    if (to.mods.length === 0) return true;
    if (from.mods.length === 0) return false;
    return (from.mods[1] ?? 0) === (to.mods[1] ?? 0) && (to.mods[0] ?? 0) >= (from.mods[0] ?? 0);
  }
  if (from.base === 'bit varying' && to.base === 'bit varying') return to.mods.length === 0 || (to.mods[0] ?? 0) >= (from.mods[0] ?? 0);
  if (from.base === 'cidr' && to.base === 'inet') return true;
  return from.base === to.base && from.mods.join(',') === to.mods.join(',');
}
