import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { DialectAdapter } from 'kysely';

/**
 * Kysely over PGlite. PGlite is one in-process backend, so the driver hands out a
 * single connection at a time; queries of other callers wait their turn.
 */
export class PGliteDialect implements Dialect {
  constructor(
    private readonly client: PGlite,
    private readonly adapter: DialectAdapter = new PostgresAdapter(),
    /** runs after the client closed (releases the data folder lock) */
    private readonly onDestroy: () => void = () => undefined,
  ) {}
  createAdapter(): DialectAdapter {
    return this.adapter;
  }
  createDriver(): Driver {
    return new PGliteDriver(this.client, this.onDestroy);
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  readonly #connection: PGliteConnection;

  constructor(
    private readonly client: PGlite,
    private readonly onDestroy: () => void,
  ) {
    this.#connection = new PGliteConnection(client);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#release = release;
    return this.#connection;
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`start transaction${level}`));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
  async destroy(): Promise<void> {
    await this.#queue;
    if (!this.client.closed) await this.client.close();
    this.onDestroy();
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly client: PGlite) {}
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (compiled.parameters.length === 0 && hasSeveralStatements(compiled.sql)) {
      // The extended protocol takes one statement; scripts (sql/*.sql) go through exec.
      const results = await this.client.exec(compiled.sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[] };
    }
    const result = await this.client.query<R>(compiled.sql, [...compiled.parameters]);
    const command = /^\s*(\w+)/.exec(compiled.sql)?.[1]?.toLowerCase();
    const writes = command === 'insert' || command === 'update' || command === 'delete' || command === 'merge' || command === 'with';
    return {
      rows: result.rows ?? [],
      ...(writes && result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }
  // biome-ignore lint/correctness/useYield: Kysely's interface needs a generator; PGlite cannot stream
  async *streamQuery(): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}

/** A semicolon followed by more SQL, outside quotes and dollar quotes. */
function hasSeveralStatements(text: string): boolean {
  const stripped = text
    .replace(/\$([a-z_]*)\$[\s\S]*?\$\1\$/gi, '')
    .replace(/'(?:[^']|'')*'/g, '')
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
  return /;\s*\S/.test(stripped);
}
