/** Small helpers over libpg-query's JSON AST ({ NodeType: fields } objects). */

/** Calls visit for every node of the given type anywhere under `root`. */
export function findNodes(root: unknown, type: string, visit: (node: any) => void): void {
  if (Array.isArray(root)) {
    for (const item of root) findNodes(item, type, visit);
    return;
  }
  if (root === null || typeof root !== 'object') return;
  for (const [key, value] of Object.entries(root)) {
    if (key === type) visit(value);
    findNodes(value, type, visit);
  }
}

export function collectNodes(root: unknown, type: string): any[] {
  const out: any[] = [];
  findNodes(root, type, (n) => out.push(n));
  return out;
}

/** A RangeVar's table name (the schema is dropped: todo-db's tables live in one schema). */
export function relName(rangeVar: any): string | undefined {
  return rangeVar?.relname;
}

/** The last part of a qualified name list: [String{sval:'pg_catalog'}, String{sval:'random'}] → random. */
export function lastName(names: any[] | undefined): string | undefined {
  const last = names?.at(-1);
  return last?.String?.sval;
}

/** The SQL type name of a TypeName node, e.g. `varchar(300)`, `numeric(12,2)`, `text`. */
export function typeNameOf(typeName: any): { name: string; mods: number[]; arrayBounds: boolean } {
  const name = lastName(typeName?.names) ?? '';
  const mods = (typeName?.typmods ?? []).map((m: any) => Number(m?.A_Const?.ival?.ival ?? 0));
  return { name, mods, arrayBounds: (typeName?.arrayBounds ?? []).length > 0 };
}

/** Function names called anywhere in an expression. */
export function calledFunctions(expr: unknown): string[] {
  return collectNodes(expr, 'FuncCall')
    .map((f) => lastName(f.funcname))
    .filter((n): n is string => typeof n === 'string');
}

/** For ALTER TABLE rules: calls `hit` for each subcommand and keeps what it returns. */
export function alterTableHits<H>(statement: { type: string; node: any }, hit: (cmd: any, table: string) => H | undefined): H[] {
  if (statement.type !== 'AlterTableStmt') return [];
  const table = relName(statement.node.relation) ?? '';
  return (statement.node.cmds ?? []).flatMap((item: any) => {
    const found = item.AlterTableCmd ? hit(item.AlterTableCmd, table) : undefined;
    return found === undefined ? [] : [found];
  });
}
