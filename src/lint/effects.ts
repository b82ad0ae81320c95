import { relName } from './ast.js';
import type { ParsedStatement } from './parse.js';
import { LOCK_MODES, type LockMode, type RuleContext, type StatementEffect } from './types.js';
import { addColumnRewrites, typeChangeRewrites } from './rewrites.js';

/** The knowledge a statement's effect needs: the old schema and function volatility. */
export type EffectContext = Pick<RuleContext, 'columnType' | 'volatility' | 'indexTable' | 'hasValidatedNotNull'>;

/**
 * The lock a statement takes and whether it rewrites or scans, per PostgreSQL's
 * documentation of each command and AlterTableGetLockLevel() in tablecmds.c.
 */
export function effectOf(statement: ParsedStatement, ctx: EffectContext): StatementEffect {
  const n = statement.node;
  switch (statement.type) {
    case 'IndexStmt':
      return effect(n.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', [relName(n.relation)], 'scan');
    case 'ReindexStmt': {
      const concurrent = (n.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently');
      const name = relName(n.relation);
      const table = n.kind === 'REINDEX_OBJECT_INDEX' && name ? ctx.indexTable(name) : name;
      return effect(concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', [table], 'rewrite');
    }
    case 'DropStmt':
      return dropEffect(n, ctx);
    case 'RenameStmt':
      if (n.renameType === 'OBJECT_INDEX') return effect('SHARE UPDATE EXCLUSIVE', [ctx.indexTable(relName(n.relation) ?? '')], 'none');
      if (!n.relation) return effect(null, [], 'none');
      return effect('ACCESS EXCLUSIVE', [relName(n.relation)], 'none');
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return effect('ACCESS EXCLUSIVE', [relName(n.table)], 'none');
    case 'AlterTableStmt':
      return alterTableEffect(n, ctx);
    case 'UpdateStmt':
    case 'DeleteStmt':
      return effect('ROW EXCLUSIVE', [relName(n.relation)], 'scan');
    case 'TruncateStmt':
      return effect(
        'ACCESS EXCLUSIVE',
        (n.relations ?? []).map((r: any) => relName(r.RangeVar)),
        'none',
      );
    case 'CreateTrigStmt':
      return effect('SHARE ROW EXCLUSIVE', [relName(n.relation)], 'none');
    case 'CreateStmt': {
      // a new table locks only the tables its foreign keys reference
      const referenced = [...JSON.stringify(n).matchAll(/"pktable":\{"relname":"([^"]+)"/g)].map((m) => m[1]);
      return effect(referenced.length ? 'SHARE ROW EXCLUSIVE' : null, referenced, 'none');
    }
    default:
      return effect(null, [], 'none');
  }
}

function dropEffect(n: any, ctx: EffectContext): StatementEffect {
  const names: string[][] = (n.objects ?? []).map((o: any) => (o.List?.items ?? []).map((i: any) => i.String?.sval));
  switch (n.removeType) {
    case 'OBJECT_INDEX':
      return effect(
        n.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE',
        names.map((parts) => ctx.indexTable(parts.at(-1) ?? '')),
        'none',
      );
    case 'OBJECT_TABLE':
      return effect(
        'ACCESS EXCLUSIVE',
        names.map((parts) => parts.at(-1)),
        'none',
      );
    case 'OBJECT_POLICY':
    case 'OBJECT_TRIGGER':
      // DROP POLICY p ON t: the table is the name's next-to-last part
      return effect(
        'ACCESS EXCLUSIVE',
        names.map((parts) => parts.at(-2)),
        'none',
      );
    default:
      return effect(null, [], 'none');
  }
}

function alterTableEffect(n: any, ctx: EffectContext): StatementEffect {
  const table = relName(n.relation) ?? '';
  const tables = [table];
  let lock: LockMode = 'SHARE UPDATE EXCLUSIVE';
  let rewrite: StatementEffect['rewrite'] = 'none';
  const raise = (mode: LockMode) => (lock = strongest(lock, mode));
  const touch = (kind: StatementEffect['rewrite']) => {
    if (kind === 'rewrite' || (kind === 'scan' && rewrite === 'none')) rewrite = kind;
  };
  for (const item of n.cmds ?? []) {
    const cmd = item.AlterTableCmd;
    if (!cmd) continue;
    switch (cmd.subtype) {
      case 'AT_AddColumn':
        raise('ACCESS EXCLUSIVE');
        if (addColumnRewrites(cmd.def?.ColumnDef, ctx)) touch('rewrite');
        break;
      case 'AT_AlterColumnType':
        raise('ACCESS EXCLUSIVE');
        touch(typeChangeRewrites(table, cmd.name, cmd.def?.ColumnDef, ctx) ? 'rewrite' : 'none');
        break;
      case 'AT_SetNotNull':
        raise('ACCESS EXCLUSIVE');
        if (!ctx.hasValidatedNotNull(table, cmd.name)) touch('scan');
        break;
      case 'AT_AddConstraint': {
        const c = cmd.def?.Constraint ?? {};
        if (c.contype === 'CONSTR_FOREIGN') {
          raise('SHARE ROW EXCLUSIVE');
          const referenced = relName(c.pktable);
          if (referenced) tables.push(referenced);
        } else raise('ACCESS EXCLUSIVE');
        if (c.skip_validation) break;
        if ((c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') && c.indexname) break;
        touch('scan');
        break;
      }
      case 'AT_ValidateConstraint':
        raise('SHARE UPDATE EXCLUSIVE');
        touch('scan');
        break;
      case 'AT_SetStatistics':
      case 'AT_ClusterOn':
      case 'AT_DropCluster':
      case 'AT_SetRelOptions':
      case 'AT_ResetRelOptions':
        raise('SHARE UPDATE EXCLUSIVE');
        break;
      case 'AT_EnableTrig':
      case 'AT_DisableTrig':
      case 'AT_EnableAlwaysTrig':
      case 'AT_EnableReplicaTrig':
        raise('SHARE ROW EXCLUSIVE');
        break;
      case 'AT_SetLogged':
      case 'AT_SetUnLogged':
      case 'AT_SetTableSpace':
        raise('ACCESS EXCLUSIVE');
        touch('rewrite');
        break;
      default:
        // everything else (DROP COLUMN, SET DEFAULT, RLS switches, …) takes ACCESS EXCLUSIVE
        raise('ACCESS EXCLUSIVE');
    }
  }
  return effect(lock, tables, rewrite);
}

export function strongest(a: LockMode, b: LockMode): LockMode {
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}

/** Locks that block the app's reads or writes while held or queued. */
export function blocksApp(lock: LockMode | null): boolean {
  return lock !== null && LOCK_MODES.indexOf(lock) >= LOCK_MODES.indexOf('SHARE');
}

function effect(lock: LockMode | null, tables: Array<string | undefined>, rewrite: StatementEffect['rewrite']): StatementEffect {
  return { lock, tables: [...new Set(tables.filter((t): t is string => typeof t === 'string' && t !== ''))], rewrite };
}
