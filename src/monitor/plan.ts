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
  /** tables read by a sequential scan */
  seqScans: string[];
}

/** Walks a plan tree: what it reads, and how. */
export function summarizePlan(root: PlanNode): PlanSummary {
  const indexes: string[] = [];
  const seqScans: string[] = [];
  const visit = (node: PlanNode) => {
    if (node['Index Name'] && !indexes.includes(node['Index Name'])) indexes.push(node['Index Name']);
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) seqScans.push(node['Relation Name']);
    node.Plans?.forEach(visit);
  };
  visit(root);
  const modify = root['Node Type'] === 'ModifyTable' ? (root as { Operation?: string }).Operation : undefined;
  return { root: modify ? `${modify}` : root['Node Type'], indexes, seqScans };
}
