import { SPECS, describe } from '../snapshot/describe.js';
import { sameExpression, squash } from '../snapshot/expressions.js';
import { OBJECT_KINDS, type Attr, type Catalog, type CatalogObject } from '../snapshot/types.js';
import type { SchemaFinding, FindingKind } from './finding.js';

/**
 * Every difference between the expected catalog (the snapshot) and the actual
 * one, as findings. Pure: no database. Nothing inside a missing or unexpected
 * table is reported on top of the table itself. Extensions are left to the caller
 * (allowed ones are not drift).
 */
export function compareCatalogs(expected: Catalog, actual: Catalog): SchemaFinding[] {
  const tableGone = new Set<string>();
  for (const [key, o] of Object.entries(expected)) if (o.kind === 'table' && !actual[key]) tableGone.add(o.object);
  for (const [key, o] of Object.entries(actual)) if (o.kind === 'table' && !expected[key]) tableGone.add(o.object);
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort(byKindThenKey(expected, actual));
  const findings: SchemaFinding[] = [];
  for (const key of keys) {
    const e = expected[key];
    const a = actual[key];
    const o = (e ?? a)!;
    if (o.kind !== 'table' && o.table !== null && tableGone.has(o.table)) continue;
    if (e && !a) findings.push(finding('missing', e, describe(e), null, `${named(e)} is missing`, fixFor('missing', e)));
    else if (a && !e) findings.push(finding('unexpected', a, null, describe(a), `unexpected ${named(a)}: not in the schema snapshot`, fixFor('unexpected', a)));
    else if (e && a) {
      const changed = differingAttrs(e, a);
      if (changed.length === 0) continue;
      const parts = changed.map(([label, want, have]) =>
        o.kind === 'role' ? `${have} instead of ${want}${ROLE_RISK[have] ?? ''}` : `${label} is ${have || '(none)'}, expected ${want || '(none)'}`,
      );
      findings.push(finding('different', e, describe(e), describe(a), `${e.object}: ${parts.join('; ')}`, fixFor('different', a, e)));
    }
  }
  return findings;
}

/** [label, expected text, actual text] of each compared attribute that differs. */
export function differingAttrs(e: CatalogObject, a: CatalogObject): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const [attr, spec] of Object.entries(SPECS[e.kind])) {
    const want = e.attrs[attr] ?? null;
    const have = a.attrs[attr] ?? null;
    if (sameAttr(want, have, spec.form, attr)) continue;
    out.push([spec.label, spec.text(want), spec.text(have)]);
  }
  return out;
}

function sameAttr(want: Attr, have: Attr, form: 'expression' | 'statement' | 'constraint' | undefined, attr: string): boolean {
  if (JSON.stringify(want) === JSON.stringify(have)) return true;
  if (attr === 'body' && typeof want === 'string' && typeof have === 'string') return squash(want) === squash(have);
  if (form && (typeof want === 'string' || want === null) && (typeof have === 'string' || have === null)) return sameExpression(want, have, form);
  return false;
}

function finding(id: FindingKind, o: CatalogObject, expected: string | null, actual: string | null, message: string, fix: string | null): SchemaFinding {
  return { id, object: o.object, status: 'fail', message, fix, details: { type: o.kind, table: o.table, expected, actual } };
}

/** `column tasks.title`, but `policy tasks_update_own` (the object already says what it is). */
function named(o: CatalogObject): string {
  return o.object.startsWith(`${o.kind} `) || o.object.startsWith(`${o.kind.split(' ')[0]} `) ? o.object : `${o.kind} ${o.object}`;
}

const ROLE_RISK: Record<string, string> = {
  BYPASSRLS: ': row-level security does not apply to it',
  SUPERUSER: ': row-level security does not apply to it',
  LOGIN: ': the application should log in as its own role granted todo_app',
};

/** SQL or a command that repairs it, where one is obvious. */
function fixFor(kind: FindingKind, o: CatalogObject, want?: CatalogObject): string | null {
  const t = o.table ?? '';
  const name = o.object.replace(/^\S+ /, '');
  switch (o.kind) {
    case 'index': {
      if (kind === 'unexpected') return `DROP INDEX ${o.object}`;
      const w = want ?? o;
      const keys = Array.isArray(w.attrs.keys) ? w.attrs.keys.join(', ') : '';
      const create = `CREATE ${w.attrs.unique ? 'UNIQUE ' : ''}INDEX ${o.object} ON ${t} USING ${String(w.attrs.method)} (${keys})${w.attrs.predicate ? ` WHERE ${String(w.attrs.predicate)}` : ''}`;
      return kind === 'different' ? `DROP INDEX ${o.object}; ${create}` : create;
    }
    case 'row-level security': {
      if (!want) return null;
      const parts = [
        want.attrs.enabled !== o.attrs.enabled ? `ALTER TABLE ${t} ${want.attrs.enabled ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY` : '',
        want.attrs.forced !== o.attrs.forced ? `ALTER TABLE ${t} ${want.attrs.forced ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY` : '',
      ].filter(Boolean);
      return parts.join('; ') || null;
    }
    case 'policy':
      return kind === 'unexpected' ? `DROP POLICY ${name} ON ${t}` : 'todo-db rls apply';
    case 'grant': {
      const have = kind === 'missing' ? [] : (o.attrs.privileges as string[]);
      const wanted = want ? (want.attrs.privileges as string[]) : kind === 'missing' ? (o.attrs.privileges as string[]) : [];
      const m = /^grant on (.*) to (\S+)$/.exec(o.object);
      const target = (m?.[1] ?? '')
        .replace(/^the schema$/, 'SCHEMA public')
        .replace(/^function /, 'FUNCTION ')
        .replace(/^sequence /, 'SEQUENCE ');
      const who = m?.[2] === 'public' ? 'PUBLIC' : (m?.[2] ?? '');
      const grant = wanted.filter((p) => !have.includes(p));
      const revoke = have.filter((p) => !wanted.includes(p));
      const column = /^(\w+)\((\w+)\)$/.exec(target);
      const on = (privs: string[]) => (column ? `${privs.map((p) => `${p} (${column[2]})`).join(', ')} ON ${column[1]}` : `${privs.join(', ')} ON ${target}`);
      return [grant.length ? `GRANT ${on(grant)} TO ${who}` : '', revoke.length ? `REVOKE ${on(revoke)} FROM ${who}` : ''].filter(Boolean).join('; ') || null;
    }
    case 'role': {
      if (kind === 'missing') return 'todo-db rls apply';
      if (!want) return null;
      const flags = differingAttrs(want, o)
        .filter(([label]) => label !== 'membership')
        .map(([, w]) => w);
      return flags.length ? `ALTER ROLE ${name} ${flags.join(' ')}` : null;
    }
    case 'function':
      return kind === 'unexpected' ? `DROP FUNCTION ${name}` : 'todo-db rls apply, or re-run the migration that creates it';
    case 'column':
      return kind === 'unexpected' ? `ALTER TABLE ${t} DROP COLUMN ${o.object.split('.')[1]}` : null;
    case 'trigger':
      return kind === 'unexpected'
        ? `DROP TRIGGER ${name} ON ${t}`
        : o.attrs.enabled !== 'ENABLED' && want?.attrs.enabled === 'ENABLED'
          ? `ALTER TABLE ${t} ENABLE TRIGGER ${name}`
          : null;
    case 'setting': {
      const m = /^setting (\S+) for (?:role (\S+)|every role) in (?:database (\S+)|every database)$/.exec(o.object);
      if (!m || kind !== 'unexpected') return null;
      const [, param, role, db] = m;
      return role ? `ALTER ROLE ${role}${db ? ` IN DATABASE ${db}` : ''} RESET ${param}` : `ALTER DATABASE ${db ?? 'current_database'} RESET ${param}`;
    }
    default:
      return null;
  }
}

const KIND_ORDER = new Map<string, number>(OBJECT_KINDS.map((k, i) => [k, i]));
/** Grouped by table (tables first within their group), then by kind and name. */
function byKindThenKey(expected: Catalog, actual: Catalog) {
  const of = (key: string) => (expected[key] ?? actual[key])!;
  return (a: string, b: string) => {
    const x = of(a);
    const y = of(b);
    const tx = x.table ?? '';
    const ty = y.table ?? '';
    if (tx !== ty) return tx < ty ? -1 : 1;
    const kx = KIND_ORDER.get(x.kind) ?? 99;
    const ky = KIND_ORDER.get(y.kind) ?? 99;
    return kx - ky || (a < b ? -1 : a > b ? 1 : 0);
  };
}
