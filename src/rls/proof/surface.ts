import type { Kysely } from 'kysely';
import type { ReportItem } from '../../report/item.js';
import { proofRows, type Tenant } from './catalog.js';

/** What the design lets the app reach: each tenant table it is granted, nothing else. */
export interface Design {
  appRole: string;
  /** tables the design grants the app role */
  appTables: readonly string[];
  helper: { name: string; body: string };
  setting: string;
  /** trigger functions the design runs on tenant tables */
  triggerFunctions: readonly string[];
}

type Item = ReportItem<{ check: string }>;

const item = (check: string, id: string, object: string, status: Item['status'], message: string, fix: string | null): Item => ({
  id,
  object,
  status,
  message,
  fix,
  details: { check },
});

const KIND: Record<string, string> = { r: 'table', p: 'table', v: 'view', m: 'materialized view', S: 'sequence', f: 'foreign table' };

/**
 * Every other way to another user's rows, read from the catalog: relations,
 * views and functions the app (or PUBLIC) can use outside the design, tenant
 * tables not forced or owned by the app, policies for PUBLIC, the helper and
 * the places its parameter could be preset, triggers, cross-user unique indexes.
 */
export async function surfaceChecks(db: Kysely<any>, tenants: readonly Tenant[], design: Design, loginRoles: readonly string[]): Promise<Item[]> {
  const roles = [design.appRole, ...loginRoles];
  const names = tenants.map((t) => t.table);
  const out: Item[] = [];
  for (const tenant of tenants) {
    if (!tenant.enabled || !tenant.forced) {
      const missing = !tenant.enabled ? 'ENABLE' : 'FORCE';
      out.push(
        item(
          'flags',
          'rls-not-forced',
          tenant.table,
          'fail',
          `${tenant.table} does not ${missing} row-level security: ${!tenant.enabled ? 'no policy applies' : 'its owner skips the policies'}`,
          `ALTER TABLE ${tenant.table} ${missing} ROW LEVEL SECURITY;`,
        ),
      );
    }
    if (roles.includes(tenant.owner)) {
      out.push(
        item(
          'owner',
          'app-owns-table',
          tenant.table,
          'fail',
          `${tenant.table} is owned by ${tenant.owner}, a role the application uses: it can switch RLS off`,
          `ALTER TABLE ${tenant.table} OWNER TO <maintenance role>;`,
        ),
      );
    }
  }
  for (const r of await proofRows<{ schema_name: string; relation: string; kind: string; security_invoker: boolean; reachable_by: string[] }>(db, 'surface.sql', [roles])) {
    if (r.reachable_by.length === 0) continue;
    const name = r.schema_name === 'public' ? r.relation : `${r.schema_name}.${r.relation}`;
    const designed = r.schema_name === 'public' && design.appTables.includes(r.relation) && !r.reachable_by.includes('public');
    if (designed) continue;
    const kind = KIND[r.kind] ?? 'relation';
    const who = r.reachable_by.join(', ');
    const why =
      r.kind === 'v' && !r.security_invoker
        ? "a view runs with its owner's rights, so row-level security of the tables under it does not apply to the caller"
        : r.kind === 'm'
          ? "a materialized view has no row-level security: it holds every user's rows"
          : r.schema_name !== 'public'
            ? 'it lives outside the schema the design secures'
            : names.includes(r.relation)
              ? 'the design grants no access to it'
              : 'it is not a tenant table, so no policy separates users in it';
    out.push(
      item(
        'surface',
        `reachable-${kind.replace(/ /g, '-')}`,
        name,
        r.kind === 'S' ? 'warn' : 'fail',
        `${who} can use the ${kind} ${name}: ${why}`,
        `REVOKE ALL ON ${name} FROM ${who};`,
      ),
    );
  }
  for (const f of await proofRows<{ schema_name: string; name: string; arguments: string; security_definer: boolean; config: string[]; body: string; executable_by: string[] }>(
    db,
    'functions.sql',
    [[...roles, 'public']],
  )) {
    const signature = `${f.schema_name === 'public' ? '' : `${f.schema_name}.`}${f.name}(${f.arguments})`;
    if (f.name === design.helper.name && f.schema_name === 'public') {
      const problems = [
        f.security_definer ? 'is SECURITY DEFINER' : '',
        f.config.length > 0 ? `has SET ${f.config.join(', ')}` : '',
        normalise(f.body) !== normalise(design.helper.body) ? `has another body (${normalise(f.body)})` : '',
      ].filter(Boolean);
      if (problems.length > 0)
        out.push(
          item(
            'helper',
            'helper-changed',
            signature,
            'fail',
            `the helper every policy calls ${problems.join(' and ')}; the design's body is ${normalise(design.helper.body)}`,
            'run `todo-db rls apply`',
          ),
        );
      continue;
    }
    if (f.security_definer && f.executable_by.length > 0) {
      out.push(
        item(
          'surface',
          'security-definer-function',
          signature,
          'fail',
          `${f.executable_by.join(', ')} can execute ${signature}, a SECURITY DEFINER function: it runs with its owner's rights, past row-level security`,
          `REVOKE EXECUTE ON FUNCTION ${signature} FROM PUBLIC, ${f.executable_by.filter((r) => r !== 'public').join(', ') || design.appRole};`,
        ),
      );
    }
  }
  for (const p of await proofRows<{ table_name: string; policy: string; roles: string[] }>(db, 'policies.sql', [names])) {
    if (p.roles.includes('public'))
      out.push(
        item(
          'policies',
          'policy-to-public',
          `policy ${p.policy}`,
          'fail',
          `policy ${p.policy} on ${p.table_name} applies TO PUBLIC: every role, the auth service's and any future one, gets it`,
          `ALTER POLICY ${p.policy} ON ${p.table_name} TO ${design.appRole};`,
        ),
      );
  }
  for (const s of await proofRows<{ role_name: string; database_name: string; setting: string }>(db, 'settings.sql', [design.setting])) {
    out.push(
      item(
        'settings',
        'user-setting-preset',
        `${s.role_name} / ${s.database_name}`,
        'fail',
        `${s.setting} is preset for ${s.role_name} in ${s.database_name}: a transaction that sets no user acts as that user`,
        s.role_name === 'server' ? `remove ${design.setting} from postgresql.conf` : `ALTER ROLE ${s.role_name === 'every role' ? 'ALL' : s.role_name} RESET ${design.setting};`,
      ),
    );
  }
  for (const trigger of await proofRows<{ table_name: string; trigger: string; function: string; security_definer: boolean; body: string }>(db, 'triggers.sql', [names])) {
    if (design.triggerFunctions.includes(trigger.function) && !trigger.security_definer) continue;
    const writes = /\b(insert|update|delete|copy|dblink|pg_notify)\b/i.test(trigger.body);
    out.push(
      item(
        'triggers',
        'trigger-outside-design',
        `trigger ${trigger.trigger}`,
        'fail',
        `trigger ${trigger.trigger} on ${trigger.table_name} runs ${trigger.function}()${trigger.security_definer ? ', SECURITY DEFINER' : ''}${writes ? ', which writes elsewhere' : ''}: rows can leave the table past row-level security`,
        `DROP TRIGGER ${trigger.trigger} ON ${trigger.table_name};`,
      ),
    );
  }
  // Login roles inherit todo_app's column privileges: checking the app role covers them.
  {
    const role = design.appRole;
    const rows = await proofRows<{ table_name: string; index_name: string; columns: string[] }>(db, 'side-channels.sql', [
      tenants.map((t) => t.table),
      tenants.map((t) => t.ownerColumn),
      role,
    ]);
    for (const r of rows) {
      out.push(
        item(
          'side-channels',
          'unique-across-users',
          r.index_name,
          'fail',
          `${role} can write ${r.columns.join(', ')} of ${r.table_name}, unique across users (${r.index_name}): a unique violation tells one user another user's value exists`,
          `REVOKE INSERT, UPDATE ON ${r.table_name} FROM ${role}, then GRANT them again on every column but ${r.columns.join(', ')} (a column REVOKE does not narrow a table-wide grant)`,
        ),
      );
    }
  }
  return out;
}

function normalise(body: string): string {
  return body.replace(/\s+/g, ' ').trim().replace(/;$/, '');
}
