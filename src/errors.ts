/**
 * Typed errors. The core throws these; the CLI's one exit point turns each into
 * `todo-db: <message> (<hint>)` and its exit code (../shared/spec/cli.md).
 */
export const ExitCode = { ok: 0, problem: 1, usage: 2, connection: 3 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class TodoDbError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.problem;
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad usage or input: exit 2. */
export class UsageError extends TodoDbError {
  override readonly exitCode = ExitCode.usage;
}

/** The backend cannot do what was asked (pg-mem and RLS, say): exit 2. */
export class UnsupportedError extends UsageError {}

/** Cannot reach or log in to the database: exit 3. */
export class ConnectionError extends TodoDbError {
  override readonly exitCode = ExitCode.connection;
}

/** Ran and found a problem, or a migration failed and was rolled back: exit 1. */
export class ProblemError extends TodoDbError {}

/** Another runner holds the migration lock past the wait budget: exit 1. */
export class LockTimeoutError extends ProblemError {}
