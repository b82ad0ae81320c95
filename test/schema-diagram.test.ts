import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_SNAPSHOT_PATH, UnsupportedError, diagramIsCurrent, migrateUp, openDatabase, readSnapshot, schemaDiagram, snapshotDiagram, tablesOf } from '../src/index.js';
import { renderDiagram } from '../src/verify/diagram.js';
import { SERVER_BACKENDS, openFresh, provision, type BackendName, type TestBackend } from './support/backends.js';
import { runCli } from './support/cli.js';

/** Contract v1.2.0: the v1 tables, tasks_archive and the three Better Auth tables. */
const V1_DIAGRAM = `erDiagram
    users ||--o{ accounts : "user_id"
    users ||--o{ sessions : "user_id"
    users ||--o{ tasks : "user_id"
    users ||--o{ tasks_archive : "user_id"
    users {
        uuid id PK
        varchar email UK
        boolean email_verified
        varchar name
        text image
        timestamptz created_at
        timestamptz updated_at
    }
    accounts {
        uuid id PK
        uuid user_id FK
        text account_id
        text provider_id
        text access_token
        text refresh_token
        text id_token
        timestamptz access_token_expires_at
        timestamptz refresh_token_expires_at
        text scope
        text password
        timestamptz created_at
        timestamptz updated_at
    }
    sessions {
        uuid id PK
        uuid user_id FK
        text token UK
        timestamptz expires_at
        text ip_address
        text user_agent
        timestamptz created_at
        timestamptz updated_at
    }
    tasks {
        uuid id PK
        uuid user_id FK
        varchar title
        varchar description
        boolean completed
        timestamptz created_at
        timestamptz updated_at
    }
    tasks_archive {
        uuid id PK
        uuid user_id FK
        varchar title
        varchar description
        boolean completed
        timestamptz created_at
        timestamptz updated_at
        timestamptz archived_at
    }
    verifications {
        uuid id PK
        text identifier
        text value
        timestamptz expires_at
        timestamptz created_at
        timestamptz updated_at
    }`;

const markdown = (diagram: string) => `# Schema\n\nSome prose.\n\n\`\`\`mermaid\n${diagram}\n\`\`\`\n\nMore prose.\n`;

describe('diagram rendering', () => {
  const snapshot = readSnapshot(PACKAGE_SNAPSHOT_PATH);

  it('renders the snapshot like the live v1.2.0 schema (parents first, PK / FK / UK)', () => {
    expect(snapshotDiagram(snapshot)).toBe(V1_DIAGRAM);
    expect(renderDiagram(tablesOf(snapshot.objects))).toBe(V1_DIAGRAM);
  });

  it('draws a nullable foreign key as zero-or-one, a unique one as one-to-one', () => {
    const users = tablesOf(snapshot.objects).find((t) => t.name === 'users')!;
    const profile = {
      ...users,
      name: 'profiles',
      columns: [{ name: 'user_id', type: 'uuid', nullable: true, default: null, identity: null, generated: null }],
      primaryKey: null,
      indexes: [],
      foreignKeys: [{ name: 'profiles_user_id_fkey', columns: ['user_id'], references: { table: 'users', columns: ['id'] }, onDelete: 'CASCADE' }],
      uniques: [{ name: 'profiles_user_id_key', columns: ['user_id'] }],
    };
    expect(renderDiagram([profile, users]).split('\n').slice(0, 3)).toEqual(['erDiagram', '    users |o--o| profiles : "user_id"', '    users {']);
    expect(renderDiagram([profile, users])).toMatch(/profiles \{\n {8}uuid user_id FK, UK\n/);
  });

  it('finds a current diagram in Markdown, whatever the indentation, and flags a stale one', () => {
    expect(diagramIsCurrent(markdown(V1_DIAGRAM), V1_DIAGRAM)).toBe(true);
    expect(diagramIsCurrent(markdown(V1_DIAGRAM.replace(/^ +/gm, '  ')), V1_DIAGRAM)).toBe(true);
    expect(diagramIsCurrent(markdown(V1_DIAGRAM.replace('text image', 'varchar image')), V1_DIAGRAM)).toBe(false);
    expect(diagramIsCurrent('# no diagram here\n', V1_DIAGRAM)).toBe(false);
  });
});

describe.each(SERVER_BACKENDS)('schemaDiagram on %s', (backend: BackendName) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeAll(async () => {
    fresh = await openFresh(backend, 'diagram');
    await migrateUp(fresh.handle);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it('draws the migrated schema, without the bookkeeping tables', async () => {
    expect(await schemaDiagram(fresh.handle)).toBe(V1_DIAGRAM);
  });

  it('follows the live schema: a new table and its relationship appear', async () => {
    await sql`create table notes (id integer primary key, user_id uuid references users (id), body text not null)`.execute(fresh.handle.db);
    try {
      const diagram = await schemaDiagram(fresh.handle);
      expect(diagram).toMatch(/^ {4}users \|o--o\{ notes : "user_id"$/m);
      expect(diagram).toMatch(/ {4}notes \{\n {8}integer id PK\n {8}uuid user_id FK\n {8}text body\n {4}\}/);
    } finally {
      await sql`drop table notes`.execute(fresh.handle.db);
    }
  });
});

describe.each(SERVER_BACKENDS)('todo-db schema diagram on %s', (name: BackendName) => {
  let backend: TestBackend;
  let work: string;
  beforeAll(async () => {
    backend = await provision(name, 'diagramcli');
    const handle = await openDatabase({ url: backend.url });
    try {
      await migrateUp(handle);
    } finally {
      await handle.close();
    }
    work = mkdtempSync(join(tmpdir(), 'todo-db-diagram-'));
  });
  afterAll(async () => {
    await backend?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('prints only the diagram, so it can be piped into a file', async () => {
    const result = await runCli(['--url', backend.url, 'schema', 'diagram', '--live']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(V1_DIAGRAM + '\n');
  });

  it('--check exits 0 for a current Markdown file and 1 for a stale one', async () => {
    const current = join(work, 'current.md');
    const stale = join(work, 'stale.md');
    writeFileSync(current, markdown(V1_DIAGRAM));
    writeFileSync(stale, markdown(V1_DIAGRAM.replace('        varchar name\n', '')));
    const ok = await runCli(['--url', backend.url, 'schema', 'diagram', '--live', '--check', current]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`✓ the diagram in ${current} is current\n`);
    const bad = await runCli(['--url', backend.url, '--json', 'schema', 'diagram', '--live', '--check', stale]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({ ok: false, command: 'schema diagram', durationMs: expect.any(Number), file: stale, diagram: V1_DIAGRAM });
  });
});

describe('schema diagram from the snapshot', () => {
  it('needs no database: the snapshot is the diagram, and README.md shows it', async () => {
    const result = await runCli(['--url', 'postgres://nobody@127.0.0.1:1/none', 'schema', 'diagram']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(V1_DIAGRAM + '\n');
    const readme = await runCli(['schema', 'diagram', '--check', join(import.meta.dirname, '..', 'README.md')]);
    expect(readme.code).toBe(0);
  });
});

describe('schema diagram: bad input and pg-mem', () => {
  it('exits 2 on a file that cannot be read, before connecting', async () => {
    const result = await runCli(['--url', 'postgres://nobody@127.0.0.1:1/none', 'schema', 'diagram', '--check', '/nonexistent/README.md']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('todo-db: cannot read /nonexistent/README.md: ENOENT (give the path of a Markdown file)\n');
  });

  it('refuses pg-mem, which has no catalog', async () => {
    const fresh = await openFresh('pgmem');
    try {
      await expect(schemaDiagram(fresh.handle)).rejects.toThrow(UnsupportedError);
    } finally {
      await fresh.close();
    }
  });
});
