import type { ExpressionForm } from './expressions.js';
import { COMMON_OWNER } from './read-catalog.js';
import type { Attr, CatalogObject, ObjectKind } from './types.js';

/**
 * How each attribute of each kind is compared and read: a label for messages
 * (`nullability is NULL, expected NOT NULL`), its text as in DDL, and, for
 * expressions, the form the parser reads them in. Attributes not listed here
 * are carried for the derived files (column lists of a key) and not compared:
 * the definition they come from is.
 */
export interface AttrSpec {
  label: string;
  text: (value: Attr) => string;
  form?: ExpressionForm;
  /** compared, but left out of the object's one-line text */
  hidden?: true;
}

const list = (v: Attr) => (Array.isArray(v) ? v.join(', ') : String(v ?? ''));
const flag = (word: string) => (v: Attr) => (v ? word : '');
const plain = (v: Attr) => (v === null ? '' : String(v));
const owner = (v: Attr) => (v === COMMON_OWNER ? 'owned by the role that owns the rest' : `owned by ${String(v)}`);
const squashBody = (v: Attr) =>
  `AS $$ ${String(v ?? '')
    .replace(/\s+/g, ' ')
    .replace(/;\s*$/, '')
    .trim()} $$`;

export const SPECS: Record<ObjectKind, Record<string, AttrSpec>> = {
  extension: {},
  schema: {},
  table: {
    type: { label: 'kind', text: plain },
    persistence: { label: 'persistence', text: plain },
    replicaIdentity: { label: 'replica identity', text: (v) => `REPLICA IDENTITY ${plain(v)}` },
    owner: { label: 'owner', text: owner },
  },
  'row-level security': {
    enabled: { label: 'enabled', text: (v) => (v ? 'ENABLED' : 'DISABLED') },
    forced: { label: 'forced', text: (v) => (v ? 'FORCED' : 'NOT FORCED') },
  },
  column: {
    type: { label: 'type', text: plain },
    nullable: { label: 'nullability', text: (v) => (v ? 'NULL' : 'NOT NULL') },
    default: { label: 'default', text: (v) => (v === null ? '' : `DEFAULT ${String(v)}`), form: 'expression' },
    generated: { label: 'generated', text: (v) => (v === null ? '' : `GENERATED ALWAYS AS ${String(v)}`) },
    identity: { label: 'identity', text: (v) => (v === null ? '' : `GENERATED ${String(v)} AS IDENTITY`) },
    collation: { label: 'collation', text: (v) => (v === null ? '' : `COLLATE "${String(v)}"`) },
    position: { label: 'position', text: (v) => `column ${String(v)}`, hidden: true },
  },
  constraint: {
    definition: { label: 'definition', text: plain, form: 'constraint' },
    onDelete: { label: 'ON DELETE', text: (v) => `ON DELETE ${plain(v)}` },
    onUpdate: { label: 'ON UPDATE', text: (v) => (v === 'NO ACTION' ? '' : `ON UPDATE ${plain(v)}`) },
    deferrable: { label: 'deferrability', text: (v) => (v === 'NOT DEFERRABLE' ? '' : plain(v)) },
    validated: { label: 'validity', text: (v) => (v ? '' : 'NOT VALID') },
    enforced: { label: 'enforcement', text: (v) => (v === false ? 'NOT ENFORCED' : '') },
  },
  index: {
    unique: { label: 'uniqueness', text: flag('UNIQUE') },
    method: { label: 'method', text: (v) => `USING ${plain(v)}` },
    keys: { label: 'keys', text: (v) => `(${list(v)})` },
    include: { label: 'INCLUDE', text: (v) => (Array.isArray(v) && v.length ? `INCLUDE (${list(v)})` : '') },
    nullsNotDistinct: { label: 'NULLS NOT DISTINCT', text: flag('NULLS NOT DISTINCT') },
    predicate: { label: 'predicate', text: (v) => (v === null ? '' : `WHERE ${String(v)}`), form: 'expression' },
    valid: { label: 'validity', text: (v) => (v ? '' : 'INVALID') },
  },
  trigger: {
    timing: { label: 'timing', text: plain },
    events: { label: 'events', text: (v) => (Array.isArray(v) ? v.join(' OR ') : plain(v)) },
    updateOf: { label: 'UPDATE OF', text: (v) => (Array.isArray(v) && v.length ? `OF ${list(v)}` : '') },
    referencing: { label: 'REFERENCING', text: (v) => (v === null ? '' : `REFERENCING ${String(v)}`) },
    level: { label: 'level', text: (v) => `FOR EACH ${plain(v)}` },
    when: { label: 'WHEN', text: (v) => (v === null ? '' : `WHEN (${String(v)})`), form: 'expression' },
    function: { label: 'function', text: (v) => `EXECUTE FUNCTION ${plain(v)}` },
    enabled: { label: 'state', text: (v) => (v === 'ENABLED' ? '' : plain(v)) },
  },
  rule: {
    definition: { label: 'definition', text: plain, form: 'statement' },
    enabled: { label: 'state', text: (v) => (v === 'ENABLED' ? '' : plain(v)) },
  },
  policy: {
    permissive: { label: 'kind', text: (v) => (v ? '' : 'AS RESTRICTIVE') },
    command: { label: 'command', text: (v) => `FOR ${plain(v)}` },
    roles: { label: 'roles', text: (v) => `TO ${list(v)}` },
    using: { label: 'USING', text: (v) => (v === null ? '' : `USING (${String(v)})`), form: 'expression' },
    withCheck: { label: 'WITH CHECK', text: (v) => (v === null ? '' : `WITH CHECK (${String(v)})`), form: 'expression' },
  },
  function: {
    kind: { label: 'kind', text: (v) => (v === 'function' ? '' : plain(v)) },
    returns: { label: 'return type', text: (v) => `RETURNS ${plain(v)}` },
    language: { label: 'language', text: (v) => `LANGUAGE ${plain(v)}` },
    volatility: { label: 'volatility', text: plain },
    strict: { label: 'strictness', text: flag('STRICT') },
    leakproof: { label: 'leakproof', text: flag('LEAKPROOF') },
    parallel: { label: 'parallel safety', text: plain },
    securityDefiner: { label: 'security', text: flag('SECURITY DEFINER') },
    config: { label: 'SET', text: (v) => (Array.isArray(v) ? v.map((s) => `SET ${s}`).join(' ') : '') },
    body: { label: 'body', text: squashBody },
    owner: { label: 'owner', text: owner },
  },
  sequence: {
    type: { label: 'type', text: (v) => `AS ${plain(v)}` },
    start: { label: 'start', text: (v) => `START ${plain(v)}` },
    increment: { label: 'increment', text: (v) => `INCREMENT ${plain(v)}` },
    min: { label: 'minimum', text: (v) => `MINVALUE ${plain(v)}` },
    max: { label: 'maximum', text: (v) => `MAXVALUE ${plain(v)}` },
    cache: { label: 'cache', text: (v) => `CACHE ${plain(v)}` },
    cycle: { label: 'cycle', text: (v) => (v ? 'CYCLE' : 'NO CYCLE') },
    ownedBy: { label: 'owned by', text: (v) => (v === null ? '' : `OWNED BY ${String(v)}`) },
    owner: { label: 'owner', text: owner },
  },
  view: {
    definition: { label: 'definition', text: (v) => `AS ${plain(v).replace(/\s+/g, ' ').trim()}`, form: 'statement' },
    options: { label: 'options', text: (v) => (Array.isArray(v) && v.length ? `WITH (${list(v)})` : '') },
    owner: { label: 'owner', text: owner },
  },
  'materialized view': {
    definition: { label: 'definition', text: (v) => `AS ${plain(v).replace(/\s+/g, ' ').trim()}`, form: 'statement' },
    options: { label: 'options', text: (v) => (Array.isArray(v) && v.length ? `WITH (${list(v)})` : '') },
    owner: { label: 'owner', text: owner },
  },
  type: {
    type: { label: 'kind', text: (v) => (v === 'enum' ? 'AS ENUM' : 'DOMAIN') },
    labels: { label: 'labels', text: (v) => (Array.isArray(v) ? `(${v.map((l) => `'${l}'`).join(', ')})` : '') },
    base: { label: 'base type', text: (v) => (v === null ? '' : `AS ${String(v)}`) },
    nullable: { label: 'nullability', text: (v) => (v === false ? 'NOT NULL' : '') },
    default: { label: 'default', text: (v) => (v === null ? '' : `DEFAULT ${String(v)}`), form: 'expression' },
    checks: { label: 'checks', text: (v) => list(v) },
  },
  grant: {
    privileges: { label: 'privileges', text: list },
  },
  role: {
    superuser: { label: 'SUPERUSER', text: (v) => (v ? 'SUPERUSER' : 'NOSUPERUSER') },
    login: { label: 'LOGIN', text: (v) => (v ? 'LOGIN' : 'NOLOGIN') },
    inherit: { label: 'INHERIT', text: (v) => (v ? 'INHERIT' : 'NOINHERIT') },
    createDb: { label: 'CREATEDB', text: (v) => (v ? 'CREATEDB' : 'NOCREATEDB') },
    createRole: { label: 'CREATEROLE', text: (v) => (v ? 'CREATEROLE' : 'NOCREATEROLE') },
    replication: { label: 'REPLICATION', text: (v) => (v ? 'REPLICATION' : 'NOREPLICATION') },
    bypassRls: { label: 'BYPASSRLS', text: (v) => (v ? 'BYPASSRLS' : 'NOBYPASSRLS') },
    memberOf: { label: 'membership', text: (v) => (Array.isArray(v) && v.length ? `IN ROLE ${list(v)}` : '') },
  },
  setting: {
    value: { label: 'value', text: (v) => `= '${plain(v)}'` },
  },
};

/** The object as DDL-like text, attribute by attribute. */
export function describe(o: CatalogObject): string {
  return Object.entries(SPECS[o.kind])
    .filter(([, spec]) => !spec.hidden)
    .map(([attr, spec]) => spec.text(o.attrs[attr] ?? null))
    .filter((t) => t !== '')
    .join(' ');
}
