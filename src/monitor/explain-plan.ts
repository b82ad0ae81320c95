/** A node of EXPLAIN (FORMAT JSON) output, as far as monitor reads it. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

export interface PlanSummary {
  /** the root node type, e.g. "Limit", "ModifyTable" */
  root: string;
  /** every index the plan reads, in plan order */
  indexes: string[];
  /** how each of those is read: "Index Scan", "Index Only Scan", "Bitmap Index Scan" */
  scans: { index: string; node: string }[];
  /** tables read by a sequential scan */
  seqScans: string[];
}

/** Walks a plan tree: what it reads, and how. */
export function summarizePlan(root: PlanNode): PlanSummary {
  const indexes: string[] = [];
  const scans: PlanSummary['scans'] = [];
  const seqScans: string[] = [];
  const visit = (node: PlanNode) => {
    const index = node['Index Name'];
    if (index && !indexes.includes(index)) {
      indexes.push(index);
      scans.push({ index, node: node['Node Type'] });
    }
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) seqScans.push(node['Relation Name']);
    node.Plans?.forEach(visit);
  };
  visit(root);
  const modify = root['Node Type'] === 'ModifyTable' ? (root as { Operation?: string }).Operation : undefined;
  return { root: modify ? `${modify}` : root['Node Type'], indexes, scans, seqScans };
}

/** An index as the catalog has it: enough to tell two indexes that serve a query alike. */
export interface IndexShape {
  name: string;
  method: string;
  leading: string;
}

/**
 * The planner's coin toss: `used` is not one of `expected`, but an expected index
 * that exists starts with the same column and has the same method, and the plan
 * reads `used` with an ordered index scan (Index Scan or Index Only Scan), as it
 * would the expected one. Costs that close flip with statistics; it is not a
 * missing index. Returns the expected index it stands in for, or undefined.
 */
export function sameAccessPath(used: { index: string; node: string }, expected: readonly string[], catalog: ReadonlyMap<string, IndexShape>): string | undefined {
  if (used.node !== 'Index Scan' && used.node !== 'Index Only Scan') return undefined;
  const shape = catalog.get(used.index);
  if (!shape) return undefined;
  return expected.find((name) => {
    const other = catalog.get(name);
    return other !== undefined && other.leading === shape.leading && other.method === shape.method;
  });
}
