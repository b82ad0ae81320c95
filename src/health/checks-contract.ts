import type { TodoDatabase } from '../connection/open.js';
import { SCHEMA_TABLES } from '../snapshot/schema-tables.js';
import { TodoDbError } from '../errors.js';
import { rlsStatus } from '../rls/status.js';
import { verifySchema } from '../verify/verify-schema.js';
import type { CheckStatus, HealthFindingInput, HealthCheck, Verdict } from './types.js';

export const TABLES_SQL = 'health/tables.sql';

interface TableRlsRow {
  table: string;
  rls_enabled: boolean;
  rls_forced: boolean;
}

/** What verifySchema and rlsStatus return, as far as health reads them. */
interface Assessment {
  ok: boolean;
  contractVersion?: string;
  findings: { object?: string; subject?: string; message: string; fix?: string | null }[];
  earlierVersion?: { version: string } | null;
  appRole?: unknown;
}
export type Outcome = { available: false; reason: string } | { available: true; result: Assessment };

/** Runs verify or rls status, whose verdicts health reports as they are. */
async function assess(call: () => Promise<Assessment>): Promise<Outcome> {
  try {
    return { available: true, result: await call() };
  } catch (error) {
    // A backend that cannot answer (UnsupportedError) is "not available", not a failure.
    if (error instanceof TodoDbError && error.exitCode === 2) return { available: false, reason: error.message };
    throw error;
  }
}

/** `the application connects as postgres, a superuser: RLS never applies (and 1 more)`: the first finding, whole. */
function assessed(outcome: Outcome, okMessage: string, failStatus: CheckStatus): Verdict {
  if (!outcome.available) return { status: 'n/a', message: outcome.reason };
  const { result } = outcome;
  const findings: HealthFindingInput[] = result.findings.map((f) => ({
    object: f.object ?? f.subject ?? '',
    status: result.ok ? 'ok' : failStatus,
    message: f.message,
    ...(f.fix ? { fix: f.fix } : {}),
  }));
  if (result.ok) return { status: 'ok', value: 0, message: okMessage, findings };
  const first = findings[0];
  const more = findings.length > 1 ? ` (and ${findings.length - 1} more)` : '';
  return { status: failStatus, value: findings.length, message: `${first?.message ?? 'a finding'}${more}`, findings };
}

export const schema: HealthCheck<Outcome> = {
  id: 'schema',
  title: 'schema',
  needs: ['catalog'],
  sql: [],
  collect: (database: TodoDatabase) => assess(() => verifySchema(database)),
  evaluate: ({ data }) => {
    const verdict = assessed(data, `matches the contract${data.available && data.result.contractVersion ? ` v${data.result.contractVersion}` : ''}`, 'fail');
    // Behind, not broken: the migrations check names what to run.
    if (!data.available || !data.result.earlierVersion) return verdict;
    return { ...verdict, message: `is contract v${data.result.earlierVersion.version}, not v${data.result.contractVersion}: migrations pending` };
  },
  fix: 'run `todo-db verify` for the differences; put fixes in a new migration',
};

export const rlsTables: HealthCheck = {
  id: 'rls-tables',
  title: 'row-level security',
  needs: ['rls'],
  sql: [TABLES_SQL],
  evaluate: ({ rows }) => {
    const byName = new Map(rows<TableRlsRow>(TABLES_SQL).map((r) => [r.table, r]));
    const findings: HealthFindingInput[] = SCHEMA_TABLES.flatMap((table): HealthFindingInput[] => {
      const row = byName.get(table);
      if (!row) return [{ object: table, status: 'fail', message: 'table missing' }];
      if (!row.rls_enabled) return [{ object: table, status: 'fail', message: 'RLS is off: every role with a grant sees every row' }];
      if (!row.rls_forced) return [{ object: table, status: 'fail', message: 'RLS is not forced: the table owner bypasses the policies' }];
      return [];
    });
    return findings.length
      ? { status: 'fail', value: findings.length, message: findings.map((f) => `${f.object}: ${f.message}`).join('; '), findings }
      : { status: 'ok', value: 0, message: `enabled and forced on ${SCHEMA_TABLES.join(', ')}` };
  },
  fix: 'run `todo-db rls apply`',
};

/** How to name the application's role, when none is: the one-line hint of the n/a verdict. */
export const APP_ROLE_HINT = 'name the role the application logs in as: --app-role NAME or --app-url URL';

export const rlsRole: HealthCheck<Outcome> = {
  id: 'rls-app-role',
  title: 'application role',
  needs: ['rls'],
  sql: [],
  collect: (database: TodoDatabase, o) => assess(() => rlsStatus(database, o.app ?? {})),
  evaluate: ({ data }) => {
    const verdict = assessed(data, 'policies as designed; todo_app cannot bypass them', 'fail');
    // Without a named application role only the policies and todo_app were judged:
    // the role that matters most is unknown, which is n/a, not a pass or a failure.
    // Named and wrong: the fix is the one `rls status` prints for the first finding.
    const fix = verdict.findings?.[0]?.fix;
    if (verdict.status === 'fail' && fix) return { ...verdict, fix };
    if (verdict.status !== 'ok' || !data.available || data.result.appRole) return verdict;
    return { ...verdict, status: 'n/a', message: `policies as designed; the application's login role is not named (${APP_ROLE_HINT})` };
  },
  fix: 'run `todo-db rls status` and apply the fix it prints',
};
