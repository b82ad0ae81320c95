import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provision, type TestBackend } from '../support/backends.js';
import { runCli } from '../support/cli.js';
import { withRoleLock } from '../support/role-lock.js';

/** The schema is read from docs/json.md itself: the document people read is the one tested. */
function documentedSchema(): object {
  const markdown = readFileSync(new URL('../../docs/json.md', import.meta.url), 'utf8');
  const block = /```json\n([\s\S]*?)\n```/.exec(markdown);
  if (!block?.[1]) throw new Error('docs/json.md has no ```json block');
  return JSON.parse(block[1]) as object;
}

const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(documentedSchema());

interface Case {
  args: string[];
  command: string;
  exit: number;
}

/** Runs a case with --json and checks: one document, valid, ok matching the exit code, the command named. */
async function check(url: string | undefined, c: Case, cwd?: string): Promise<Record<string, unknown>> {
  const result = await runCli([...(url ? ['--url', url] : []), '--json', ...c.args], cwd ? { cwd } : {});
  expect({ args: c.args, code: result.code }).toEqual({ args: c.args, code: c.exit });
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`todo-db ${c.args.join(' ')} --json printed no single JSON document:\n${result.stdout}`);
  }
  const valid = validate(document);
  expect({ args: c.args, errors: valid ? [] : validate.errors }).toEqual({ args: c.args, errors: [] });
  expect(document).toMatchObject({ ok: c.exit === 0, command: c.command });
  return document;
}

describe('every command --json on PostgreSQL has the one documented shape', () => {
  let backend: TestBackend;
  let work: string;
  beforeAll(async () => {
    backend = await provision('postgres', 'jsonshape');
    work = mkdtempSync(join(tmpdir(), 'todo-db-json-'));
  });
  afterAll(async () => {
    await backend?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('commands that succeed, and those that report findings', async () => {
    const run = (args: string[], command: string, exit = 0) => check(backend.url, { args, command, exit });
    await run(['migrate', 'status'], 'migrate status');
    await run(['migrate', 'up', '--dry-run'], 'migrate up');
    // No standby streams from the test server: --require-replicas fails before migrating, --wait-replicas notes it.
    const required = await run(['migrate', 'up', '--require-replicas'], 'migrate up', 1);
    expect(required.error).toMatchObject({ message: expect.stringMatching(/no standby streams from the primary .* nothing was migrated/), exitCode: 1 });
    const waited = await run(['migrate', 'up', '--wait-replicas'], 'migrate up');
    expect(waited.replicas).toMatchObject({ replicas: [], note: expect.stringMatching(/^no standby streams from the primary/) });
    await run(['migrate', 'down', '--dry-run'], 'migrate down');
    // Before any data: plans are n/a (exit 0); on a few rows the planner may pick other indexes.
    await run(['monitor', 'queries'], 'monitor queries');
    await run(['seed'], 'seed');
    await run(['seed', '--users', '3', '--tasks-per-user', '2'], 'seed');
    await run(['seed', '--sql'], 'seed');
    await withRoleLock('shared', async () => {
      await run(['verify'], 'verify');
      await run(['rls', 'status'], 'rls status');
      await run(['rls', 'verify'], 'rls verify');
      await run(['rls', 'apply'], 'rls apply');
      await run(['health'], 'health');
    });
    await run(['monitor', 'indexes'], 'monitor indexes');
    await run(['schema', 'diagram'], 'schema diagram');
    await run(['archive', '--completed-before', '90d', '--dry-run'], 'archive');
    await run(['backup', '--out', join(work, 'b.dump')], 'backup');
    await run(['cleanup', '--yes'], 'cleanup');
    // The resolver checks folders before a command runs: the app's migrations folder exists.
    mkdirSync(join(work, 'migrations'));
    await run(['migrate', 'make', 'add_due_date', '--migrations-dir', join(work, 'migrations')], 'migrate make');
    await run(['completion', 'bash'], 'completion');
  });

  it('error paths: one document with ok false and the error, exit code as documented', async () => {
    const cases: Case[] = [
      { args: ['migrate', 'up', '--to', 'nosuch'], command: 'migrate up', exit: 2 },
      { args: ['migrate', 'down'], command: 'migrate down', exit: 2 },
      { args: ['monitor'], command: 'monitor', exit: 2 },
      { args: ['rls'], command: 'rls', exit: 2 },
      { args: ['help', 'nosuch'], command: 'help', exit: 2 },
      { args: ['verify', '--no-such-option'], command: 'verify', exit: 2 },
      { args: ['seed', '--sql', '--users', '3'], command: 'seed', exit: 2 },
      { args: ['restore', 'nothing.dump'], command: 'restore', exit: 2 },
      { args: ['completion', 'tcsh'], command: 'completion', exit: 2 },
    ];
    for (const c of cases) {
      const document = await check(backend.url, c);
      expect(document.error).toMatchObject({ exitCode: c.exit });
    }
    await check(undefined, { args: ['--url', 'postgres://x@127.0.0.1:1/x', 'migrate', 'status'], command: 'migrate status', exit: 3 });
    await check(undefined, { args: ['--url', 'pgmem:', 'verify'], command: 'verify', exit: 2 });
    await check(undefined, { args: ['--url', 'mysql://x/y', 'health'], command: 'health', exit: 2 });
  });
});
