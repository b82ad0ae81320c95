import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ReportItem } from '../../report/item.js';
import { readPrivileges, readTenants, type Tenant } from './catalog.js';
import { probeTable, result, type Identity, type ProbeDetails, type ProbeOutcome } from './attacks.js';
import { sqlState } from '../../sql-state.js';
import { affected, attempt } from './attempt.js';
import { probeRows, type Row } from './probe-rows.js';
import { surfaceChecks, type Design } from './surface.js';

export interface ProofOptions {
  design: Design;
  /** the auth service's designed role, probed on every tenant table the design gives it nothing on (tasks) */
  authRole?: string;
  /** the tables the design lets the auth role reach; every other tenant table is probed as it, grant or not */
  authTables?: readonly string[];
  /** the roles the application and auth service log in as, when known */
  loginRoles?: readonly string[];
  /** real user ids to probe with as well (existing data as evidence); default 20 */
  sample?: number;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /**
   * A standby or read replica: no probe row can be written, so only the reads run
   * (as nobody, an empty id, a user without rows and the sampled real users: the
   * existing data is the evidence), and each write probe is reported n/a.
   */
  readOnly?: boolean;
}

export interface ProofResult {
  /** the behaviour and catalog rows, table by table */
  items: ReportItem[];
  tenants: string[];
  /** probe rows written (and rolled back) per table */
  probeRows: Record<string, number>;
  sampledUsers: number;
  /** the longest one probe statement held row locks (its savepoint's rollback releases them) */
  longestLockMs: number;
  /** the proof's transaction: it holds only ROW EXCLUSIVE on tenant tables, which blocks no query of the app */
  transactionMs: number;
}

type Probe = ReportItem<ProbeDetails>;

function toItem(o: ProbeOutcome): Probe {
  return {
    id: o.id,
    object: o.details.table,
    status: o.status,
    message: o.message,
    fix: o.status === 'fail' ? 'see `todo-db rls status` for the policy or grant that lets it through; `todo-db rls apply` restores the design' : null,
    details: o.details,
  };
}

/**
 * The behavioural half of `rls verify`: inside one transaction that is always
 * rolled back, writes probe rows for three users covering every column state,
 * then as the app role tries every read and write an attacker would, as user A,
 * as nobody, as an empty id, and as sampled real users; plus the catalog's
 * other ways in. Every statement runs in a savepoint under short lock and
 * statement timeouts, so nothing is held for long on production.
 */
export async function runProof(db: Kysely<any>, options: ProofOptions): Promise<ProofResult> {
  const { design } = options;
  const tenants = await readTenants(db, design.appRole);
  const roles = [design.appRole, ...(options.authRole ? [options.authRole] : [])];
  const privileges = await readPrivileges(
    db,
    roles,
    tenants.map((t) => t.table),
  );
  const items: ReportItem[] = await surfaceChecks(db, tenants, design, options.loginRoles ?? []);
  const counts: Record<string, number> = {};
  let sampled = 0;
  const timing = { longestMs: 0 };
  const began = performance.now();
  const trx = await db.startTransaction().execute();
  try {
    await sql`select set_config('lock_timeout', ${`${options.lockTimeoutMs ?? 2000}ms`}, true), set_config('statement_timeout', ${`${options.statementTimeoutMs ?? 10_000}ms`}, true)`.execute(
      trx,
    );
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    // Sampled before the probe users exist: real users only.
    const samples = await sampleUsers(trx, [a, b, c], options.sample ?? 20);
    const own = options.readOnly ? new Map<string, number>() : await writeProbeData(trx, tenants, [a, b, c], counts);
    sampled = samples.length;
    await sql`set local role ${sql.id(design.appRole)}`.execute(trx);
    for (const as of ['no user set', 'empty user id', 'user A'] as const) {
      await sql`select set_config(${design.setting}, ${as === 'user A' ? a : ''}, true)`.execute(trx);
      if (as === 'no user set') await sql`select set_config(${design.setting}, null, true)`.execute(trx).catch(() => undefined);
      for (const tenant of tenants) {
        const ctx = {
          trx,
          tenant,
          privileges: privileges.find((p) => p.role === design.appRole && p.table === tenant.table),
          a,
          b,
          ownRows: own.get(tenant.table) ?? 0,
          timing,
          readOnly: options.readOnly === true,
        };
        items.push(...(await probeTable(ctx, as)).map(toItem));
      }
    }
    items.push(...(await evidence(trx, tenants, samples, design.setting)).map(toItem));
    if (options.authRole && (await roleExists(trx, options.authRole))) {
      await sql`set local role ${sql.id(options.authRole)}`.execute(trx);
      for (const tenant of tenants) {
        // Probed by the design, not by its grants: a stray grant must still show nothing (no policy TO it there).
        if (options.authTables?.includes(tenant.table)) continue;
        const p = privileges.find((x) => x.role === options.authRole && x.table === tenant.table);
        const ctx = { trx, tenant, privileges: p, a, b, ownRows: 0, timing, readOnly: options.readOnly === true };
        items.push(...(await probeTable(ctx, 'todo_auth')).map(toItem));
      }
    }
  } finally {
    await trx.rollback().execute();
  }
  return {
    items,
    tenants: tenants.map((t) => t.table),
    probeRows: counts,
    sampledUsers: sampled,
    longestLockMs: Math.round(timing.longestMs * 10) / 10,
    transactionMs: Math.round(performance.now() - began),
  };
}

/** Users A, B, C and, in every tenant table, their rows in every column state; returns A's row count per table. */
async function writeProbeData(trx: Transaction<any>, tenants: readonly Tenant[], users: string[], counts: Record<string, number>): Promise<Map<string, number>> {
  const own = new Map<string, number>();
  const users_ = tenants.find((t) => t.table === 'users');
  // The three users first (every other table references them), then more users in every state.
  for (const id of users) await insert(trx, 'users', probeRows(users_!, id)?.[0] ?? { id });
  own.set('users', 1);
  counts.users = 3;
  for (const row of (probeRows(users_!, () => randomUUID()) ?? []).slice(1)) if (await insert(trx, 'users', row)) counts.users++;
  for (const tenant of tenants.filter((t) => t.table !== 'users')) {
    counts[tenant.table] = 0;
    for (const id of users) {
      for (const row of probeRows(tenant, id) ?? []) {
        if (!(await insert(trx, tenant.table, row))) continue;
        counts[tenant.table]!++;
        if (id === users[0]) own.set(tenant.table, (own.get(tenant.table) ?? 0) + 1);
      }
    }
  }
  return own;
}

/** One probe row; false when a constraint of the table refuses that state (it is then not represented). */
async function insert(trx: Transaction<any>, table: string, row: Row): Promise<boolean> {
  const columns = Object.keys(row);
  await sql`savepoint rls_proof_row`.execute(trx);
  try {
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values (${sql.join(columns.map((c) => row[c]))})`.execute(trx);
    await sql`release savepoint rls_proof_row`.execute(trx);
    return true;
  } catch (error) {
    if (sqlState(error) === undefined) throw error;
    await sql`rollback to savepoint rls_proof_row`.execute(trx);
    return false;
  }
}

/** Up to `n` real users (not the probe users), spread over the table rather than the first ones. */
async function roleExists(trx: Transaction<any>, role: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select exists (select from pg_roles where rolname = ${role}) as found`.execute(trx);
  return rows[0]?.found === true;
}

async function sampleUsers(trx: Transaction<any>, exclude: string[], n: number): Promise<string[]> {
  if (n <= 0) return [];
  const { rows } = await sql<{ id: string }>`
    select id::text as id from users tablesample bernoulli (least(100, greatest(0.01, ${n * 300.0} / greatest(1, (select reltuples from pg_class where oid = 'users'::regclass)))))
    where id <> all(${exclude}::uuid[]) limit ${n}`.execute(trx);
  return rows.map((r) => r.id);
}

/** As each sampled real user: no row of any tenant table owned by someone else is visible. */
async function evidence(trx: Transaction<any>, tenants: readonly Tenant[], users: string[], setting: string): Promise<ProbeOutcome[]> {
  const out: ProbeOutcome[] = [];
  for (const [i, user] of users.entries()) {
    await sql`select set_config(${setting}, ${user}, true)`.execute(trx);
    const as: Identity = `sampled user ${i + 1}`;
    for (const tenant of tenants) {
      const outcome = await attempt(trx, async () =>
        affected(await sql`select count(*) from ${sql.table(tenant.table)} where ${sql.ref(tenant.ownerColumn)} is distinct from ${user}`.execute(trx)),
      );
      const holds = 'denied' in outcome || ('rows' in outcome && outcome.rows === 0);
      const probe = result(`${tenant.table}:read-others:sampled-${i + 1}`, tenant.table, as, 'SELECT', '0 rows of other users', outcome, holds);
      // Only the failures are worth a row each; the passes are summed up below.
      if (probe.status !== 'ok') out.push(probe);
    }
  }
  if (users.length > 0 && out.length === 0) {
    out.push(result('existing-data:read-others', tenants.map((t) => t.table).join(', '), `sampled user ${users.length}`, 'SELECT', '0 rows of other users', { rows: 0 }, true));
    out[0]!.message = `as ${users.length} real users: no row of another user visible in ${tenants.length} tenant tables`;
  }
  return out;
}
