import { sortPrivileges, type GrantShape, type SchemaShape, type TableShape } from '../contract/types.js';
import * as d from './describe.js';
import type { Finding, FindingType } from './finding.js';

interface Kind<T> {
  type: FindingType;
  table: string | null;
  object: (item: T) => string;
  aspects: (item: T) => d.Aspects;
  fix?: (item: T, kind: Finding['kind'], expected?: T) => string | undefined;
  /** how one changed aspect reads; default `<label> is <actual>, expected <expected>` */
  phrase?: (label: string, actual: string, expected: string) => string;
}

/**
 * Every difference between the expected schema (the contract, normalised through
 * the server) and the actual one, as findings. Pure: no database needed.
 */
export function compareSchemas(expected: SchemaShape, actual: SchemaShape): Finding[] {
  const findings: Finding[] = [];
  const table: Kind<TableShape> = {
    type: 'table',
    table: null,
    object: (t) => t.name,
    aspects: (t) => [['kind', t.kind ?? 'table']],
  };
  forEachPair(expected.tables, actual.tables, findings, { ...table, table: null }, (e, a) => compareTable(e, a, findings), (t) => t.name);
  compareList(expected.functions, actual.functions, findings, {
    type: 'function',
    table: null,
    object: (f) => `function ${f.name}(${f.arguments})`,
    aspects: d.functionAspects,
    fix: () => 'todo-db rls apply, or re-run the migration that creates it',
  }, (f) => `${f.name}(${f.arguments})`);
  compareList(expected.roles, actual.roles, findings, {
    type: 'role',
    table: null,
    object: (r) => `role ${r.name}`,
    aspects: d.roleAspects,
    phrase: (_label, has, want) => `${has} instead of ${want}${ROLE_RISK[has] ?? ''}`,
    fix: (r, kind, want) =>
      kind === 'missing' ? 'todo-db rls apply' : kind === 'different' && want ? `ALTER ROLE ${r.name} ${diffTexts(d.roleAspects(want), d.roleAspects(r)).join(' ')}` : undefined,
  });
  return findings;
}

function compareTable(e: TableShape, a: TableShape, out: Finding[]): void {
  const t = e.name;
  compareList(e.columns, a.columns, out, { type: 'column', table: t, object: (c) => `${t}.${c.name}`, aspects: d.columnAspects });
  compareList(e.primaryKey ? [e.primaryKey] : [], a.primaryKey ? [a.primaryKey] : [], out, {
    type: 'primary key',
    table: t,
    object: (k) => k.name,
    aspects: d.primaryKeyAspects,
  });
  compareList(e.foreignKeys, a.foreignKeys, out, { type: 'foreign key', table: t, object: (k) => k.name, aspects: d.foreignKeyAspects });
  compareList(e.checks, a.checks, out, { type: 'check', table: t, object: (k) => k.name, aspects: d.checkAspects });
  compareList(e.uniques, a.uniques, out, { type: 'unique', table: t, object: (k) => k.name, aspects: d.uniqueAspects });
  compareList(e.indexes, a.indexes, out, {
    type: 'index',
    table: t,
    object: (i) => i.name,
    aspects: d.indexAspects,
    fix: (i, kind) =>
      kind === 'unexpected'
        ? `DROP INDEX ${i.name}`
        : `${kind === 'different' ? `DROP INDEX ${i.name}; ` : ''}CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${i.name} ON ${t} USING ${i.method} (${i.columns.join(', ')})`,
  });
  compareList(e.triggers, a.triggers, out, { type: 'trigger', table: t, object: (x) => `trigger ${x.name}`, aspects: d.triggerAspects });
  compareList([{ name: t, ...e.rls }], [{ name: t, ...a.rls }], out, {
    type: 'row-level security',
    table: t,
    object: () => `row-level security on ${t}`,
    aspects: (r) => [
      ['enabled', r.enabled ? 'ENABLED' : 'DISABLED'],
      ['forced', r.forced ? 'FORCED' : 'NOT FORCED'],
    ],
    fix: (r, _kind, want) =>
      [
        want && want.enabled !== r.enabled ? `ALTER TABLE ${t} ${want.enabled ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY` : '',
        want && want.forced !== r.forced ? `ALTER TABLE ${t} ${want.forced ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY` : '',
      ]
        .filter(Boolean)
        .join('; '),
  });
  compareList(e.policies, a.policies, out, {
    type: 'policy',
    table: t,
    object: (p) => `policy ${p.name}`,
    aspects: d.policyAspects,
    fix: (p, kind) => (kind === 'unexpected' ? `DROP POLICY ${p.name} ON ${t}` : 'todo-db rls apply'),
  });
  compareList(grantsWithRole(e.grants), grantsWithRole(a.grants), out, {
    type: 'grant',
    table: t,
    object: (g) => `grant on ${t} to ${g.role}`,
    aspects: (g) => [['privileges', sortPrivileges(g.privileges).join(', ')]],
    fix: (g, kind, want) => grantFix(t, g, kind === 'missing' ? [] : g.privileges, want?.privileges ?? (kind === 'missing' ? g.privileges : [])),
  });
}

function grantsWithRole(grants: GrantShape[]): Array<GrantShape & { name: string }> {
  return grants.map((g) => ({ ...g, name: g.role }));
}


function grantFix(table: string, g: GrantShape, have: readonly string[], want: readonly string[]): string {
  const grant = want.filter((p) => !have.includes(p));
  const revoke = have.filter((p) => !want.includes(p));
  const who = g.role === 'public' ? 'PUBLIC' : g.role;
  return [
    grant.length ? `GRANT ${sortPrivileges(grant).join(', ')} ON ${table} TO ${who}` : '',
    revoke.length ? `REVOKE ${sortPrivileges(revoke).join(', ')} ON ${table} FROM ${who}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** Matches by name: missing, unexpected, or compared aspect by aspect. */
function compareList<T extends { name: string }>(expected: T[], actual: T[], out: Finding[], kind: Kind<T>, key: (item: T) => string = (x) => x.name): void {
  forEachPair(expected, actual, out, kind, (e, a) => {
    const want = kind.aspects(e);
    const have = kind.aspects(a);
    const changed = want.filter(([label, text], i) => have[i]?.[0] === label && have[i]?.[1] !== text).map(([label]) => label);
    if (changed.length === 0) return;
    const object = kind.object(e);
    const parts = changed.map((label) => {
      const w = want.find(([l]) => l === label)?.[1] || '(none)';
      const h = have.find(([l]) => l === label)?.[1] || '(none)';
      return kind.phrase ? kind.phrase(label, h, w) : `${label} is ${h}, expected ${w}`;
    });
    const fix = kind.fix?.(a, 'different', e);
    out.push({
      kind: 'different',
      object,
      type: kind.type,
      table: kind.table,
      expected: d.text(want),
      actual: d.text(have),
      message: `${object}: ${parts.join('; ')}`,
      ...(fix ? { fix } : {}),
    });
  }, key);
}

function forEachPair<T extends { name: string }>(
  expected: T[],
  actual: T[],
  out: Finding[],
  kind: Kind<T>,
  both: (e: T, a: T) => void,
  key: (item: T) => string = (x) => x.name,
): void {
  const actualByKey = new Map(actual.map((a) => [key(a), a]));
  const expectedKeys = new Set(expected.map(key));
  for (const e of expected) {
    const a = actualByKey.get(key(e));
    if (a) {
      both(e, a);
      continue;
    }
    const object = kind.object(e);
    const fix = kind.fix?.(e, 'missing');
    out.push({
      kind: 'missing',
      object,
      type: kind.type,
      table: kind.table ?? (kind.type === 'table' ? e.name : null),
      expected: d.text(kind.aspects(e)),
      actual: null,
      message: `${named(kind.type, object)} is missing`,
      ...(fix ? { fix } : {}),
    });
  }
  for (const a of actual) {
    if (expectedKeys.has(key(a))) continue;
    const object = kind.object(a);
    const fix = kind.fix?.(a, 'unexpected');
    out.push({
      kind: 'unexpected',
      object,
      type: kind.type,
      table: kind.table ?? (kind.type === 'table' ? a.name : null),
      expected: null,
      actual: d.text(kind.aspects(a)),
      message: `unexpected ${named((a as { kind?: string }).kind ?? kind.type, object)}: not in the contract`,
      ...(fix ? { fix } : {}),
    });
  }
}

/** Why a drifted role attribute matters, said where it is reported. */
const ROLE_RISK: Record<string, string> = {
  BYPASSRLS: ': row-level security does not apply to it',
  SUPERUSER: ': row-level security does not apply to it',
  LOGIN: ': the application should log in as its own role granted todo_app',
};

/** The expected texts of the aspects that differ (for ALTER ROLE). */
function diffTexts(want: d.Aspects, have: d.Aspects): string[] {
  return want.filter(([label, t]) => have.find(([l]) => l === label)?.[1] !== t).map(([, t]) => t);
}

/** `column tasks.title`, but `policy tasks_update_own` (the object already says what it is). */
function named(type: string, object: string): string {
  return object.startsWith(`${type} `) || object.startsWith(`${type.split(' ')[0]} `) ? object : `${type} ${object}`;
}
