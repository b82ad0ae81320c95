import { APP_ROLE, HELPER_FUNCTION } from './declaration.js';
import type { RlsStatus } from './status.js';

/** One fact of the RLS setup that `rls apply` changed. */
export interface RlsChange {
  subject: string;
  /** null: did not exist */
  before: string | null;
  after: string | null;
}

/** The RLS setup as subject → description, so two snapshots compare line by line. */
export function describeRlsStatus(status: RlsStatus): Map<string, string> {
  const facts = new Map<string, string>();
  for (const t of status.tables) facts.set(`table ${t.table}`, !t.exists ? 'missing' : !t.enabled ? 'RLS disabled' : t.forced ? 'RLS enabled, forced' : 'RLS enabled, not forced');
  for (const p of status.policies) {
    const check = p.withCheck ? ` WITH CHECK ${p.withCheck}` : '';
    const using = p.using ? ` USING ${p.using}` : '';
    facts.set(`policy ${p.table}.${p.name}`, `${p.permissive ? '' : 'RESTRICTIVE '}${p.command} TO ${p.roles.join(', ')}${using}${check}`);
  }
  for (const g of status.role.grants) facts.set(`grants ${APP_ROLE} on ${g.table}`, g.privileges.join(', ') || 'none');
  if (status.helper) facts.set(`function ${HELPER_FUNCTION}()`, `${status.helper.volatility}, returns ${status.helper.returns}: ${status.helper.body.replace(/\s+/g, ' ').trim()}`);
  const r = status.role;
  if (r.exists) facts.set(`role ${APP_ROLE}`, [r.superuser ? 'SUPERUSER' : 'NOSUPERUSER', r.bypassRls ? 'BYPASSRLS' : 'NOBYPASSRLS', r.canLogin ? 'LOGIN' : 'NOLOGIN'].join(' '));
  return facts;
}

/** What differs between two snapshots, in the order the facts are listed. */
export function diffStatus(before: RlsStatus, after: RlsStatus): RlsChange[] {
  const a = describeRlsStatus(before);
  const b = describeRlsStatus(after);
  const subjects = [...new Set([...a.keys(), ...b.keys()])];
  return subjects.filter((s) => a.get(s) !== b.get(s)).map((subject) => ({ subject, before: a.get(subject) ?? null, after: b.get(subject) ?? null }));
}
