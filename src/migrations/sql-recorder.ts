import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/** Records the SQL of every query a Kysely instance runs (for --dry-run). */
export class SqlRecorder implements KyselyPlugin {
  readonly statements: string[] = [];
  constructor(private readonly db: Kysely<any>) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const compiled = this.db.getExecutor().compileQuery(args.node, args.queryId);
    const params = compiled.parameters.length ? ` -- parameters: ${JSON.stringify(compiled.parameters)}` : '';
    this.statements.push(compiled.sql.trim() + params);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
