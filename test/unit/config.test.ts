import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings, resolveSettings, settingsError, settingsFrom, type RawFlags } from '../../src/config/index.js';
import { PACKAGE_MIGRATIONS_DIR } from '../../src/migrations/files.js';

/** The resolver without a database: flags, an env record and a root folder in, settings and problems out. */

const root = mkdtempSync(join(tmpdir(), 'todo-db-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'migs'));
writeFileSync(join(root, 'a-file'), 'x');

interface Case {
  name: string;
  flags?: RawFlags;
  env?: Record<string, string>;
  config?: Record<string, unknown>;
  /** each must match one problem; none given means no problem */
  problems?: RegExp[];
}

const PROBLEM_CASES: Case[] = [
  { name: 'nothing set', problems: [] },
  { name: 'DATABASE_URL empty', env: { DATABASE_URL: '' }, problems: [/DATABASE_URL is set but empty/] },
  { name: 'DATABASE_URL spaces', env: { DATABASE_URL: '   ' }, problems: [/DATABASE_URL is set but empty/] },
  { name: 'DATABASE_URL_UNPOOLED empty', env: { DATABASE_URL_UNPOOLED: ' ', DATABASE_URL: 'pglite:memory' }, problems: [/DATABASE_URL_UNPOOLED is set but empty/] },
  { name: '--url empty', flags: { url: '' }, problems: [/--url is empty/] },
  { name: 'undecodable password', flags: { url: 'postgres://u:p%zz@h/db' }, problems: [/password .* percent-escape that does not decode/] },
  { name: 'undecodable database name', env: { DATABASE_URL: 'postgres://h/d%E0%A4%A' }, problems: [/database name .* percent-escape/] },
  { name: 'port 0', flags: { url: 'postgres://h:0/db' }, problems: [/port .* "0", not a port/] },
  { name: 'port out of range', flags: { url: 'postgres://h:70000/db' }, problems: [/malformed database URL/] },
  { name: 'unknown scheme', env: { DATABASE_URL: 'mysql://h/db' }, problems: [/unsupported database URL scheme "mysql:"/] },
  { name: 'unknown sslmode', env: { DATABASE_URL: 'postgres://h/db?sslmode=sometimes' }, problems: [/unknown sslmode "sometimes"/] },
  { name: 'PGPORT=abc', env: { PGHOST: 'localhost', PGPORT: 'abc' }, problems: [/PGPORT is "abc", not a port/] },
  { name: 'PGPORT=0', env: { PGHOST: 'localhost', PGPORT: '0' }, problems: [/PGPORT is "0"/] },
  { name: 'PGPORT=65536', env: { PGDATABASE: 'x', PGPORT: '65536' }, problems: [/PGPORT is "65536"/] },
  { name: 'PGPORT=5432.5', env: { PGHOST: 'h', PGPORT: '5432.5' }, problems: [/PGPORT/] },
  { name: 'TODO_DB_DATA_DIR empty', env: { TODO_DB_DATA_DIR: '' }, problems: [/TODO_DB_DATA_DIR is set but empty/] },
  { name: 'data dir under /proc', env: { TODO_DB_DATA_DIR: '/proc/self/x' }, problems: [/under \/proc/] },
  { name: 'pglite under /sys', flags: { url: 'pglite:/sys/x' }, problems: [/under \/sys/] },
  { name: 'pglite parent is a file', flags: { url: `pglite:${join(root, 'a-file', 'db')}` }, problems: [/a-file is a file/] },
  { name: 'TODO_DB_MIGRATIONS_DIR empty', env: { TODO_DB_MIGRATIONS_DIR: '' }, problems: [/TODO_DB_MIGRATIONS_DIR is empty/] },
  { name: '--migrations-dir empty', flags: { migrationsDir: '' }, problems: [/--migrations-dir is empty/] },
  { name: '--migrations-dir is a file', flags: { migrationsDir: 'a-file' }, problems: [/--migrations-dir is .*a-file, which is a file/] },
  { name: 'timeout text', flags: { connectTimeout: 'soon' }, problems: [/--connect-timeout is "soon", not a positive number of seconds/] },
  { name: 'timeout zero', env: { TODO_DB_LOCK_TIMEOUT: '0' }, problems: [/TODO_DB_LOCK_TIMEOUT is "0"/] },
  { name: 'timeout negative', flags: { lockTimeout: '-5' }, problems: [/--lock-timeout is "-5"/] },
  { name: 'timeout past the timer limit', flags: { statementTimeout: '2147484' }, problems: [/more than the limit of 2147483/] },
  { name: 'timeout Infinity', env: { TODO_DB_CONNECT_TIMEOUT: 'Infinity' }, problems: [/TODO_DB_CONNECT_TIMEOUT is "Infinity"/] },
  { name: 'unknown pooler mode', env: { TODO_DB_POOLER: 'session' }, problems: [/TODO_DB_POOLER is "session", not auto, direct or transaction/] },
  { name: 'pooler mode of the wrong type', config: { pooler: true }, problems: [/pooler in todo-db.config.json is true, not auto, direct or transaction/] },
  { name: 'unknown config key', config: { migrationDir: './m' }, problems: [/unknown key "migrationDir" in todo-db.config.json/] },
  { name: 'config value of the wrong type', config: { lockTimeout: 'long' }, problems: [/lockTimeout in todo-db.config.json is "long"/] },
  { name: 'config path not a string', config: { seedsDir: 3 }, problems: [/seedsDir in todo-db.config.json is 3, not a path/] },
  { name: 'bad config value even when the flag overrides it', flags: { lockTimeout: '5' }, config: { lockTimeout: 0 }, problems: [/lockTimeout in todo-db.config.json is 0/] },
  {
    name: 'every problem at once',
    flags: { connectTimeout: 'x', migrationsDir: '' },
    env: { PGHOST: 'h', PGPORT: 'abc', TODO_DB_STATEMENT_TIMEOUT: '-1' },
    config: { nope: 1 },
    problems: [/unknown key "nope"/, /--connect-timeout/, /--migrations-dir is empty/, /TODO_DB_STATEMENT_TIMEOUT/, /PGPORT/],
  },
];

function resolveCase(c: Case) {
  return settingsFrom({ flags: c.flags ?? {}, env: c.env ?? {}, root, config: c.config ? { path: join(root, 'todo-db.config.json'), values: c.config } : null });
}

describe('settingsFrom: problems', () => {
  it.each(PROBLEM_CASES)('$name', (c) => {
    const { problems } = resolveCase(c);
    expect(problems).toHaveLength(c.problems!.length);
    for (const pattern of c.problems!)
      expect(
        problems.some((p) => pattern.test(p)),
        `${pattern} in ${JSON.stringify(problems)}`,
      ).toBe(true);
  });
});

interface TargetCase {
  name: string;
  flags?: RawFlags;
  env?: Record<string, string>;
  schema: string;
  data: string;
  source?: string;
}

const TARGET_CASES: TargetCase[] = [
  { name: 'the embedded default', schema: `pglite:./.todo-db/pglite`, data: `pglite:./.todo-db/pglite`, source: 'embedded default' },
  { name: 'TODO_DB_DATA_DIR moves it', env: { TODO_DB_DATA_DIR: 'db' }, schema: 'pglite:./db', data: 'pglite:./db' },
  {
    name: '--url wins over everything',
    flags: { url: 'pgmem:' },
    env: { DATABASE_URL: 'postgres://a@h/x', DATABASE_URL_UNPOOLED: 'postgres://b@h/x', PGHOST: 'p' },
    schema: 'pgmem:',
    data: 'pgmem:',
    source: '--url',
  },
  {
    name: 'unpooled for the schema, DATABASE_URL for data',
    env: { DATABASE_URL: 'postgres://a@h/x', DATABASE_URL_UNPOOLED: 'postgres://b@h/x' },
    schema: 'postgres://b@h/x',
    data: 'postgres://a@h/x',
  },
  {
    name: 'DATABASE_URL for both when no unpooled',
    env: { DATABASE_URL: 'postgres://a:secret@h/x' },
    schema: 'postgres://a:****@h/x',
    data: 'postgres://a:****@h/x',
    source: 'DATABASE_URL',
  },
  { name: 'DATABASE_URL wins over PG*', env: { DATABASE_URL: 'pglite:memory', PGHOST: 'h' }, schema: 'pglite:memory', data: 'pglite:memory' },
  {
    name: 'PG* variables',
    env: { PGHOST: 'db.local', PGPORT: '6543', PGUSER: 'app', PGPASSWORD: 'pw', PGDATABASE: 'todo' },
    schema: 'postgres://app:****@db.local:6543/todo',
    data: 'postgres://app:****@db.local:6543/todo',
    source: 'PG* variables',
  },
  { name: 'PGDATABASE alone', env: { PGDATABASE: 'todo' }, schema: 'postgres://localhost:5432/todo', data: 'postgres://localhost:5432/todo' },
  { name: 'empty PGHOST is unset', env: { PGHOST: '' }, schema: 'pglite:./.todo-db/pglite', data: 'pglite:./.todo-db/pglite' },
];

describe('settingsFrom: where it connects (cli.md precedence)', () => {
  it.each(TARGET_CASES)('$name', (c) => {
    const { settings, problems } = settingsFrom({ flags: c.flags ?? {}, env: c.env ?? {}, root });
    expect(problems).toEqual([]);
    expect(settings.targets.schema.display).toBe(c.schema);
    expect(settings.targets.data.display).toBe(c.data);
    if (c.source) expect(settings.targets.data.source).toBe(c.source);
  });

  it('carries the PG* password to the driver and masks it', () => {
    const { settings } = settingsFrom({ flags: {}, env: { PGHOST: 'h', PGPASSWORD: 'hunter2' }, root });
    expect(settings.targets.data).toMatchObject({ backend: 'postgres', host: 'h', port: 5432, password: 'hunter2' });
    expect(settings.secrets).toContain('hunter2');
  });

  it('collects every password, raw and decoded, even from unused variables', () => {
    const { settings } = settingsFrom({ flags: { url: 'pgmem:' }, env: { DATABASE_URL: 'postgres://a:p%40ss@h/x', DATABASE_URL_UNPOOLED: 'postgres://b:two@h/x' }, root });
    expect(settings.secrets).toEqual(expect.arrayContaining(['p%40ss', 'p@ss', 'two']));
    expect(settings.appUrl).toBe('postgres://a:p%40ss@h/x');
  });
});

describe('settingsFrom: values and precedence', () => {
  it('defaults to the package folders and no timeouts', () => {
    const { settings } = settingsFrom({ flags: {}, env: {}, root });
    expect(settings.migrationsDir).toBe(PACKAGE_MIGRATIONS_DIR);
    expect(settings.seedsDir).toMatch(/\/seeds$/);
    expect(settings.snapshotPath).toMatch(/schema\/snapshot\.json$/);
    expect(settings.connectTimeoutMs).toBeUndefined();
  });

  it.each([
    { name: 'flag over env over config', flags: { lockTimeout: '1' }, env: { TODO_DB_LOCK_TIMEOUT: '2' }, config: { lockTimeout: 3 }, ms: 1000 },
    { name: 'env over config', env: { TODO_DB_LOCK_TIMEOUT: '2' }, config: { lockTimeout: 3 }, ms: 2000 },
    { name: 'config alone', config: { lockTimeout: 3 }, ms: 3000 },
    { name: 'fractions of a second', flags: { lockTimeout: '0.25' }, ms: 250 },
    { name: 'the timer limit itself', flags: { lockTimeout: '2147483.647' }, ms: 2 ** 31 - 1 },
  ])('lock timeout: $name', (c) => {
    const { settings, problems } = settingsFrom({
      flags: c.flags ?? {},
      env: c.env ?? {},
      root,
      config: c.config ? { path: join(root, 'todo-db.config.json'), values: c.config } : null,
    });
    expect(problems).toEqual([]);
    expect(settings.lockTimeoutMs).toBe(c.ms);
  });

  it('resolves config paths against the config file, flag and env paths against the root', () => {
    const config = { path: join(root, 'todo-db.config.json'), values: { migrationsDir: './migs', seedsDir: 'seeds', snapshotPath: 'schema/s.json', dataDir: 'data' } };
    const { settings, problems } = settingsFrom({ flags: {}, env: {}, root, config });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ migrationsDir: join(root, 'migs'), seedsDir: join(root, 'seeds'), snapshotPath: join(root, 'schema/s.json') });
    expect(settings.targets.data.display).toBe('pglite:./data');
    expect(settingsFrom({ flags: { migrationsDir: 'other' }, env: {}, root, config }).settings.migrationsDir).toBe(join(root, 'other'));
    expect(settingsFrom({ flags: {}, env: { TODO_DB_MIGRATIONS_DIR: 'env-migs' }, root, config }).settings.migrationsDir).toBe(join(root, 'env-migs'));
  });

  it('NO_COLOR counts when set and not empty', () => {
    expect(settingsFrom({ flags: {}, env: { NO_COLOR: '1' }, root }).settings.noColor).toBe(true);
    expect(settingsFrom({ flags: {}, env: { NO_COLOR: '' }, root }).settings.noColor).toBe(false);
  });
});

describe('settingsError', () => {
  it('one problem keeps its own hint; several become one line', () => {
    const one = settingsError(['PGPORT is "abc", not a port (use a number from 1 to 65535; PostgreSQL listens on 5432)']);
    expect(one.exitCode).toBe(2);
    expect(one.message).toBe('PGPORT is "abc", not a port');
    expect(one.hint).toBe('use a number from 1 to 65535; PostgreSQL listens on 5432');
    const many = settingsError(['a', 'b (c)']);
    expect(many.message).toBe('2 configuration problems: a; b (c)');
    expect(many.message).not.toContain('\n');
  });
});

/** Each project in a folder of its own: the files are what is being tested. */
function project(files: Record<string, string | undefined>): string {
  const dir = mkdtempSync(join(root, 'project-'));
  for (const [name, text] of Object.entries(files)) if (text !== undefined) writeFileSync(join(dir, name), text);
  return dir;
}

describe('resolveSettings: .env and config files', () => {
  it('reads .env under the environment: the environment wins, and the header says where it came from', async () => {
    const dir = project({ '.env': 'DATABASE_URL=postgres://env-file@h/db\nTODO_DB_LOCK_TIMEOUT=7\n' });
    const fromFile = await loadSettings({ flags: {}, env: {}, root: dir });
    expect(fromFile.targets.data).toMatchObject({ display: 'postgres://env-file@h/db', source: 'DATABASE_URL', origin: '.env' });
    expect(fromFile.lockTimeoutMs).toBe(7000);
    const fromEnv = await loadSettings({ flags: {}, env: { DATABASE_URL: 'postgres://real@h/db' }, root: dir });
    expect(fromEnv.targets.data.display).toBe('postgres://real@h/db');
    expect(fromEnv.targets.data.origin).toBeUndefined();
  });

  it('--env NAME reads .env.NAME after .env, and a missing one is a problem', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dotenv-expand's ${PGDB}, not a template
    const dir = project({ '.env': 'DATABASE_URL=postgres://base@h/db\nTODO_DB_LOCK_TIMEOUT=7\n', '.env.test': 'DATABASE_URL=postgres://test@h/${PGDB}\nPGDB=tests\n' });
    const settings = await loadSettings({ flags: { env: 'test' }, env: {}, root: dir });
    expect(settings.targets.data.display).toBe('postgres://test@h/tests');
    expect(settings.targets.data.origin).toBe('.env.test');
    expect(settings.lockTimeoutMs).toBe(7000);
    const missing = await resolveSettings({ flags: { env: 'prod' }, env: {}, root: dir });
    expect(missing.problems).toEqual([expect.stringMatching(/there is no \.env\.prod/)]);
  });

  it('an empty DATABASE_URL in .env is reported with the file named', async () => {
    const dir = project({ '.env': 'DATABASE_URL=\n' });
    await expect(loadSettings({ flags: {}, env: {}, root: dir })).rejects.toThrow(/DATABASE_URL is set but empty in \.env/);
  });

  it.each([
    ['todo-db.config.json', '{ "lockTimeout": 4 }'],
    ['todo-db.config.mjs', 'export default { lockTimeout: 4 };'],
    ['todo-db.config.js', 'export default { lockTimeout: 4 };'],
    ['todo-db.config.ts', 'const seconds: number = 4;\nexport default { lockTimeout: seconds };'],
  ])('reads %s', async (name, text) => {
    const dir = project({ [name]: text, 'package.json': '{ "type": "module" }' });
    const settings = await loadSettings({ flags: {}, env: {}, root: dir });
    expect(settings.lockTimeoutMs).toBe(4000);
    expect(settings.configFile).toBe(join(dir, name));
  });

  it('reads the "todo-db" key of package.json', async () => {
    const dir = project({ 'package.json': JSON.stringify({ name: 'app', 'todo-db': { migrationsDir: './db/migrations' } }) });
    expect((await loadSettings({ flags: {}, env: {}, root: dir })).migrationsDir).toBe(join(dir, 'db/migrations'));
  });

  it.each([
    { name: 'a config that does not parse', files: { 'todo-db.config.json': '{ lockTimeout: ' }, problem: /todo-db.config.json cannot be loaded/ },
    { name: 'a config that is not an object', files: { 'todo-db.config.json': '[1]' }, problem: /must hold an object/ },
    {
      name: 'two configs',
      files: { 'todo-db.config.json': '{}', 'package.json': '{ "todo-db": {} }' },
      problem: /more than one config: todo-db.config.json, package.json "todo-db"/,
    },
    { name: 'a package.json that does not parse', files: { 'package.json': '{ "todo-db": ' }, problem: /package.json does not parse/ },
    { name: 'a TypeScript config that throws', files: { 'todo-db.config.ts': 'throw new Error("boom");' }, problem: /todo-db.config.ts cannot be loaded: boom/ },
  ])('$name is a problem', async ({ files, problem }) => {
    const { problems } = await resolveSettings({ flags: {}, env: {}, root: project(files) });
    expect(problems).toEqual([expect.stringMatching(problem)]);
  });

  it('a project without .env or config is the package defaults', async () => {
    const settings = await loadSettings({ flags: {}, env: {}, root: project({}) });
    expect(settings.configFile).toBeNull();
    expect(settings.envFiles).toEqual([]);
    expect(settings.migrationsDir).toBe(PACKAGE_MIGRATIONS_DIR);
  });
});

describe('the library never guesses a database', () => {
  it('openDatabase() with no url and no target throws a UsageError and creates nothing', async () => {
    const { openDatabase } = await import('../../src/connection/open.js');
    const before = existsSync(join(process.cwd(), '.todo-db'));
    await expect(openDatabase({})).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/openDatabase needs a database/) });
    await expect(openDatabase({ url: '  ' })).rejects.toMatchObject({ exitCode: 2 });
    expect(existsSync(join(process.cwd(), '.todo-db'))).toBe(before);
  });
});
