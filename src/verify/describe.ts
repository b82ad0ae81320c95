import type { CheckShape, ColumnShape, ForeignKeyShape, FunctionShape, IndexShape, PolicyShape, PrimaryKeyShape, RoleShape, TriggerShape, UniqueShape } from '../contract/types.js';

/**
 * Each object kind as labelled aspects: verify compares aspect by aspect and
 * shows the whole as `expected` / `actual`. The texts read like the DDL.
 */
export type Aspects = Array<[label: string, text: string]>;

export const text = (aspects: Aspects): string => aspects.map(([, t]) => t).filter((t) => t !== '').join(' ');

export function columnAspects(c: ColumnShape): Aspects {
  return [
    ['type', c.type],
    ['nullability', c.nullable ? 'NULL' : 'NOT NULL'],
    ['default', c.default === null ? '' : `DEFAULT ${c.default}`],
  ];
}

export const primaryKeyAspects = (k: PrimaryKeyShape): Aspects => [['columns', `PRIMARY KEY (${k.columns.join(', ')})`]];

export function foreignKeyAspects(k: ForeignKeyShape): Aspects {
  return [
    ['columns', `FOREIGN KEY (${k.columns.join(', ')})`],
    ['reference', `REFERENCES ${k.references.table}(${k.references.columns.join(', ')})`],
    ['ON DELETE', `ON DELETE ${k.onDelete.toUpperCase()}`],
    ['ON UPDATE', k.onUpdate === 'no action' ? '' : `ON UPDATE ${k.onUpdate.toUpperCase()}`],
  ];
}

export const checkAspects = (c: CheckShape): Aspects => [['expression', `CHECK (${c.expression})`]];
export const uniqueAspects = (u: UniqueShape): Aspects => [['columns', `UNIQUE (${u.columns.join(', ')})`]];

export function indexAspects(i: IndexShape): Aspects {
  return [
    ['uniqueness', i.unique ? 'UNIQUE' : ''],
    ['method and columns', `${i.method} (${i.columns.join(', ')})`],
    ['predicate', i.where ? `WHERE ${i.where}` : ''],
    ['validity', i.invalid ? 'INVALID' : ''],
  ];
}

export function triggerAspects(t: TriggerShape): Aspects {
  return [
    ['timing', t.timing.toUpperCase()],
    ['events', t.events.map((e) => e.toUpperCase()).join(' OR ')],
    ['level', `FOR EACH ${t.level.toUpperCase()}`],
    ['function', `EXECUTE FUNCTION ${t.function}()`],
    ['state', t.enabled ? '' : 'DISABLED'],
  ];
}

export function policyAspects(p: PolicyShape): Aspects {
  return [
    ['kind', p.permissive ? '' : 'AS RESTRICTIVE'],
    ['command', `FOR ${p.command.toUpperCase()}`],
    ['roles', `TO ${p.roles.join(', ')}`],
    ['USING', p.using === null ? '' : `USING (${p.using})`],
    ['WITH CHECK', p.withCheck === null ? '' : `WITH CHECK (${p.withCheck})`],
  ];
}

const squash = (body: string) => body.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim();

export function functionAspects(f: FunctionShape): Aspects {
  return [
    ['return type', `RETURNS ${f.returns}`],
    ['language', `LANGUAGE ${f.language}`],
    ['volatility', f.volatility.toUpperCase()],
    ['security', f.securityDefiner ? 'SECURITY DEFINER' : ''],
    ['body', `AS $$ ${squash(f.body)} $$`],
  ];
}

const ROLE_FLAGS: Array<[keyof RoleShape, string]> = [
  ['superuser', 'SUPERUSER'],
  ['login', 'LOGIN'],
  ['inherit', 'INHERIT'],
  ['createDb', 'CREATEDB'],
  ['createRole', 'CREATEROLE'],
  ['replication', 'REPLICATION'],
  ['bypassRls', 'BYPASSRLS'],
];

export const roleAspects = (r: RoleShape): Aspects => ROLE_FLAGS.map(([key, flag]) => [flag, r[key] ? flag : `NO${flag}`]);
