import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Column, TablePrivileges, Tenant } from './catalog.js';
import { affected, attempt, describe, refusedByCheck, type Outcome, type Timing } from './attempt.js';
import { harmlessConstant, probeRows, type Row } from './probe-rows.js';

/** Who a probe runs as: always under SET LOCAL ROLE of a designed role. */
export type Identity = 'no user set' | 'empty user id' | 'user A' | 'todo_auth' | `sampled user ${number}`;

export interface ProbeDetails {
  table: string;
  as: Identity;
  command: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
  expected: string;
  observed: string;
}

export interface ProbeOutcome {
  id: string;
  details: ProbeDetails;
  status: 'ok' | 'warn' | 'fail' | 'not-run' | 'n/a';
  message: string;
}

export interface AttackContext {
  trx: Transaction<any>;
  tenant: Tenant;
  privileges: TablePrivileges | undefined;
  a: string;
  b: string;
  /** rows of A in this table: the most any write of A may touch */
  ownRows: number;
  timing?: Timing;
  /** a standby (read-only): the write probes cannot run, and no write can reach this server either */
  readOnly?: boolean;
}

const t = (tenant: Tenant) => sql.table(tenant.table);
const owner = (tenant: Tenant) => sql.ref(tenant.ownerColumn);

async function run(trx: Transaction<any>, query: RawBuilder<unknown>): Promise<number> {
  return affected(await query.execute(trx));
}

/** The column an UPDATE sets: one the role may update, to a constant (no SELECT policy then applies). */
function updateTarget(tenant: Tenant): { column: Column; value: unknown } | undefined {
  for (const column of tenant.columns) {
    if (!column.canUpdate || column.name === tenant.ownerColumn) continue;
    const value = harmlessConstant(column);
    if (value !== undefined) return { column, value };
  }
  return undefined;
}

function setClause(tenant: Tenant): RawBuilder<unknown> {
  const target = updateTarget(tenant);
  // Without an updatable column any UPDATE must be refused: try the owner column.
  return target ? sql`${sql.ref(target.column.name)} = ${target.value}` : sql`${owner(tenant)} = ${owner(tenant)}`;
}

function insertRow(trx: Transaction<any>, tenant: Tenant, ownerId: string): Promise<number> {
  const row = probeRows(tenant, ownerId)?.[0] as Row | undefined;
  if (!row) return Promise.reject(Object.assign(new Error('no probe row'), { code: 'XXNOR' }));
  const columns = Object.keys(row);
  return run(trx, sql`insert into ${t(tenant)} (${sql.join(columns.map((c) => sql.ref(c)))}) values (${sql.join(columns.map((c) => row[c]))})`);
}

interface Spec {
  id: string;
  command: ProbeDetails['command'];
  expected: string;
  statement: (ctx: AttackContext) => Promise<number>;
  /** true when the outcome proves isolation */
  holds: (o: Outcome, ctx: AttackContext) => boolean;
  noun?: string;
}

const nothing = (o: Outcome) => 'denied' in o || ('rows' in o && o.rows === 0);
/** For writes whose new row the design accepts: a WITH CHECK refusal means another user's row was reached. */
const reachedNothing = (o: Outcome) => ('denied' in o && !refusedByCheck(o)) || ('rows' in o && o.rows === 0);
const atMostOwn = (o: Outcome, ctx: AttackContext) => ('denied' in o && !refusedByCheck(o)) || ('rows' in o && o.rows <= ctx.ownRows);

/** As user A: every way an attacker in the app would reach another user's rows. */
const AS_USER: Spec[] = [
  {
    id: 'read-own',
    command: 'SELECT',
    expected: "all of A's rows",
    statement: ({ trx, tenant, a }) => run(trx, sql`select count(*) from ${t(tenant)} where ${owner(tenant)} = ${a}`),
    holds: () => true,
  },
  {
    id: 'read-others',
    command: 'SELECT',
    expected: '0 rows of other users',
    statement: ({ trx, tenant, a }) => run(trx, sql`select count(*) from ${t(tenant)} where ${owner(tenant)} is distinct from ${a}`),
    holds: nothing,
  },
  {
    id: 'update-all',
    command: 'UPDATE',
    expected: "at most A's own rows",
    statement: ({ trx, tenant }) => run(trx, sql`update ${t(tenant)} set ${setClause(tenant)}`),
    holds: atMostOwn,
  },
  {
    id: 'update-other',
    command: 'UPDATE',
    expected: '0 rows of B',
    statement: ({ trx, tenant, b }) => run(trx, sql`update ${t(tenant)} set ${setClause(tenant)} where ${owner(tenant)} = ${b}`),
    holds: reachedNothing,
  },
  // No WHERE: a WHERE that reads the owner column would bring the SELECT policy in and hide a loosened UPDATE policy.
  {
    id: 'steal',
    command: 'UPDATE',
    expected: "no row of another user made A's",
    statement: ({ trx, tenant, a }) => run(trx, sql`update ${t(tenant)} set ${owner(tenant)} = ${a}`),
    holds: atMostOwn,
  },
  {
    id: 'give-away',
    command: 'UPDATE',
    expected: 'refused (WITH CHECK)',
    statement: ({ trx, tenant, b }) => run(trx, sql`update ${t(tenant)} set ${owner(tenant)} = ${b}`),
    holds: nothing,
  },
  { id: 'delete-all', command: 'DELETE', expected: "at most A's own rows", statement: ({ trx, tenant }) => run(trx, sql`delete from ${t(tenant)}`), holds: atMostOwn },
  {
    id: 'delete-other',
    command: 'DELETE',
    expected: '0 rows of B',
    statement: ({ trx, tenant, b }) => run(trx, sql`delete from ${t(tenant)} where ${owner(tenant)} = ${b}`),
    holds: nothing,
  },
  { id: 'insert-other', command: 'INSERT', expected: 'refused', statement: ({ trx, tenant, b }) => insertRow(trx, tenant, b), holds: nothing },
];

/** With no user, or an empty id: the app sees and changes nothing (fail closed). */
const AS_NOBODY: Spec[] = [
  { id: 'read-all', command: 'SELECT', expected: '0 rows', statement: ({ trx, tenant }) => run(trx, sql`select count(*) from ${t(tenant)}`), holds: nothing },
  { id: 'update-all', command: 'UPDATE', expected: '0 rows', statement: ({ trx, tenant }) => run(trx, sql`update ${t(tenant)} set ${setClause(tenant)}`), holds: reachedNothing },
  { id: 'delete-all', command: 'DELETE', expected: '0 rows', statement: ({ trx, tenant }) => run(trx, sql`delete from ${t(tenant)}`), holds: nothing },
  { id: 'insert-as-a', command: 'INSERT', expected: 'refused', statement: ({ trx, tenant, a }) => insertRow(trx, tenant, a), holds: nothing },
];

/** Ownership moves make no sense on users, whose owner column is its primary key. */
function applies(spec: Spec, tenant: Tenant): boolean {
  return !(tenant.table === 'users' && (spec.id === 'steal' || spec.id === 'give-away'));
}

export async function probeTable(ctx: AttackContext, as: Identity): Promise<ProbeOutcome[]> {
  const specs = as === 'user A' ? AS_USER : AS_NOBODY;
  const out: ProbeOutcome[] = [];
  for (const spec of specs.filter((s) => applies(s, ctx.tenant))) {
    if (ctx.readOnly && spec.command !== 'SELECT') {
      out.push(readOnlySkip(`${ctx.tenant.table}:${spec.id}:${slug(as)}`, ctx.tenant.table, as, spec.command, spec.expected));
      continue;
    }
    const outcome = await attempt(ctx.trx, () => spec.statement(ctx), ctx.timing).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'XXNOR') return { notRun: 'no probe row can be built for this table (a required column of a type it cannot fill)' } as Outcome;
      throw error;
    });
    const holds = !('notRun' in outcome) && spec.holds(outcome, ctx);
    if (spec.id === 'read-own') {
      out.push(ownRows(ctx, outcome));
      continue;
    }
    out.push(result(`${ctx.tenant.table}:${spec.id}:${slug(as)}`, ctx.tenant.table, as, spec.command, spec.expected, outcome, holds, spec.noun));
  }
  return out;
}

/** A designed role that must not reach this table at all (todo_auth on tasks): it sees and changes nothing. */
export async function probeUnreachable(ctx: AttackContext, as: Identity): Promise<ProbeOutcome[]> {
  return probeTable(ctx, as === 'user A' ? 'no user set' : as);
}

/** Not a leak either way, but an app that cannot see its own rows is broken: a warning. */
function ownRows(ctx: AttackContext, outcome: Outcome): ProbeOutcome {
  const granted = ctx.privileges?.select === true;
  const expected = granted ? `${ctx.ownRows} rows (all of A's)` : 'denied (no SELECT granted)';
  const fine = 'rows' in outcome ? granted && outcome.rows === ctx.ownRows : !granted || 'notRun' in outcome;
  const probe = result(`${ctx.tenant.table}:read-own:user-A`, ctx.tenant.table, 'user A', 'SELECT', expected, outcome, true);
  if (!fine && probe.status === 'ok')
    return {
      ...probe,
      status: 'warn',
      message: `SELECT as user A on ${ctx.tenant.table} sees ${probe.details.observed} of A's own rows (expected ${expected}): the app cannot see its own data`,
    };
  return probe;
}

/** A write probe on a read-only server: not run, and not needed there (its proof is the primary's run). */
function readOnlySkip(id: string, table: string, as: Identity, command: ProbeDetails['command'], expected: string): ProbeOutcome {
  return {
    id,
    details: { table, as, command, expected, observed: 'not run: read-only server' },
    status: 'n/a',
    message: `${command} as ${as} on ${table}: not run (a read-only standby takes no write; \`rls verify\` on the primary runs it)`,
  };
}

export function result(id: string, table: string, as: Identity, command: ProbeDetails['command'], expected: string, outcome: Outcome, holds: boolean, noun?: string): ProbeOutcome {
  const observed = describe(outcome, noun);
  const status = 'notRun' in outcome ? 'not-run' : holds ? 'ok' : 'fail';
  const message =
    status === 'ok'
      ? `${command} as ${as} on ${table}: ${observed}`
      : status === 'not-run'
        ? `${command} as ${as} on ${table} could not run: ${observed}`
        : `LEAK: ${command} as ${as} on ${table} reached ${observed} (expected ${expected})`;
  return { id, details: { table, as, command, expected, observed }, status, message };
}

function slug(as: Identity): string {
  return as.replace(/\s+/g, '-');
}
