import type { ReportItem } from '../report/item.js';
import type { RlsFinding } from './findings.js';
import type { RlsProbe } from './verify.js';

/** `rls status` / `rls apply` findings in the one item shape of --json. */
export function rlsFindingItems(findings: readonly RlsFinding[]): ReportItem[] {
  return findings.map((f) => ({
    id: f.code,
    object: f.subject,
    status: 'fail',
    message: f.message,
    fix: f.fix,
    details: { repair: f.repair, ...(f.sql ? { sql: f.sql } : {}) },
  }));
}

/** `rls verify` probes as checks: what was tried, as whom, expected and observed. */
export function probeItems(probes: readonly RlsProbe[]): ReportItem[] {
  return probes.map((p) => ({
    id: p.id,
    object: p.id.split(/[-:]/)[0] ?? p.id,
    status: p.pass ? 'ok' : 'fail',
    message: p.description,
    fix: p.pass ? null : 'run `todo-db rls status` to see the drift, then `todo-db rls apply`',
    details: { as: p.as, expected: p.expected, observed: p.observed },
  }));
}
