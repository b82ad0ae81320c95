/**
 * What `--help` adds below each command's options: an example and the
 * environment it reads. Data, so every command is covered and tests can check it.
 */
export interface CommandHelp {
  example: string;
  /** environment variables beyond the connection ones every command reads */
  env?: readonly string[];
}

export const CONNECTION_ENV = [
  'DATABASE_URL',
  'PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE',
  'TODO_DB_DATA_DIR',
  'TODO_DB_CONNECT_TIMEOUT',
  'TODO_DB_STATEMENT_TIMEOUT',
  'NO_COLOR',
] as const;
const SCHEMA_ENV = ['DATABASE_URL_UNPOOLED (before DATABASE_URL)', 'TODO_DB_MIGRATIONS_DIR', 'TODO_DB_LOCK_TIMEOUT', 'TODO_DB_POOLER'] as const;
const REPLICA_ENV = ['TODO_DB_WAIT_REPLICAS', 'TODO_DB_REPLICA_URLS', 'TODO_DB_REQUIRE_REPLICAS'] as const;

export const COMMAND_HELP: Record<string, CommandHelp> = {
  'migrate up': { example: 'todo-db migrate up --to 0004', env: [...SCHEMA_ENV, ...REPLICA_ENV] },
  'migrate latest': { example: 'todo-db migrate latest', env: [...SCHEMA_ENV, ...REPLICA_ENV] },
  'migrate down': { example: 'todo-db migrate down --to 0003 --yes', env: SCHEMA_ENV },
  'migrate redo': { example: 'todo-db migrate redo --yes', env: SCHEMA_ENV },
  'migrate status': { example: 'todo-db migrate status --json', env: ['TODO_DB_MIGRATIONS_DIR'] },
  'migrate lint': { example: 'todo-db migrate lint --all --json', env: ['TODO_DB_LINT_THRESHOLD_ROWS', 'TODO_DB_MIGRATIONS_DIR'] },
  'migrate rehearse': {
    example: 'todo-db migrate rehearse --budget-p99 250 --report rehearsal.svg',
    env: ['TODO_DB_DDL_LOCK_TIMEOUT', 'TODO_DB_DDL_LOCK_BUDGET', 'TODO_DB_MIGRATIONS_DIR'],
  },
  'migrate make': { example: 'todo-db migrate make add_due_date', env: ['TODO_DB_MIGRATIONS_DIR'] },
  'rls apply': { example: 'todo-db rls apply', env: ['DATABASE_URL_UNPOOLED (before DATABASE_URL)'] },
  'rls status': { example: 'todo-db rls status --app-url "$APP_DATABASE_URL"' },
  'rls verify': { example: 'todo-db rls verify --quiet' },
  seed: { example: 'todo-db seed --users 10000 --tasks-per-user 100 --seed 7' },
  cleanup: { example: 'todo-db cleanup --yes' },
  health: { example: 'todo-db health --strict --json', env: ['TODO_DB_POOLER'] },
  'monitor indexes': { example: 'todo-db monitor indexes' },
  'monitor queries': { example: 'todo-db monitor queries --limit 50' },
  verify: { example: 'todo-db verify --json' },
  'schema diagram': { example: 'todo-db schema diagram --check README.md' },
  'schema snapshot': { example: 'todo-db schema snapshot --check', env: ['TODO_DB_MIGRATIONS_DIR'] },
  'schema types': { example: 'todo-db schema types --check' },
  backup: { example: 'todo-db backup --out nightly.dump --verify' },
  restore: { example: 'todo-db restore nightly.dump --url postgres://postgres@localhost/restored' },
  archive: { example: 'todo-db archive --completed-before 90d --dry-run' },
  init: { example: 'todo-db init && todo-db migrate make add_due_date' },
  completion: { example: 'todo-db completion bash >> ~/.bashrc' },
};

export const EXIT_CODES = [
  ['0', 'done, all well'],
  ['1', 'ran and found a problem (a failed and rolled-back migration, a mismatch, a failed check)'],
  ['2', 'bad usage or input, or not supported on this backend'],
  ['3', 'cannot reach or log in to the database'],
] as const;
