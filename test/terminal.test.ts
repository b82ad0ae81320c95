import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

/**
 * The CLI on a real terminal: tmux gives it one of 80 columns, and its screen and
 * cursor state can be read back. (.ci/run installs tmux; a test installs nothing.)
 */

const COLUMNS = 80;
const socket = `todo-db-test-${process.pid}`;
let sessions = 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: cliEnv() });
}

const logs = mkdtempSync(join(tmpdir(), 'todo-db-tmux-'));

/**
 * Preloaded into each run: writes the exit code to `<logs>/<session>.code`. tmux's
 * own `pane_dead_status` is not to be relied on: under load it was seen to leave an
 * exited process unreaped (a zombie) for good, its status unknown.
 */
const RECORD_EXIT = join(logs, 'record-exit.cjs');
writeFileSync(RECORD_EXIT, "process.on('exit', (code) => require('node:fs').writeFileSync(process.env.TODO_DB_TEST_EXIT_FILE, String(code)));\n");

/**
 * Starts `todo-db args` in a new 80-column window, which stays (dead) after it
 * exits, to be read; everything it writes is also kept raw in `raw(name)`.
 */
function start(args: readonly string[]): string {
  const name = `s${++sessions}`;
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-e',
    `TODO_DB_TEST_EXIT_FILE=${codeFile(name)}`,
    '-x',
    String(COLUMNS),
    '-y',
    '50',
    process.execPath,
    '--require',
    RECORD_EXIT,
    BIN,
    ...args,
  );
  tmux('pipe-pane', '-o', '-t', name, `cat > ${join(logs, name)}`);
  return name;
}
const raw = (name: string) => readFileSync(join(logs, name), 'latin1');

/** The screen with soft-wrapped lines joined: a line wider than the terminal shows as one long line. */
const screen = (name: string) => tmux('capture-pane', '-p', '-J', '-t', name, '-S', '-100');
const cursorShown = (name: string) => tmux('display', '-p', '-t', name, '#{cursor_flag}').trim() === '1';
const codeFile = (name: string) => join(logs, `${name}.code`);
/** Exited (its exit code recorded) and its terminal closed (everything it wrote is on the screen). */
const exited = (name: string) => existsSync(codeFile(name)) && tmux('display', '-p', '-t', name, '#{pane_dead}').trim() === '1';
const exitCode = (name: string) => Number(readFileSync(codeFile(name), 'utf8'));
/** What the command printed: the screen less tmux's own "Pane is dead" line. */
const output = (name: string) =>
  screen(name)
    .split('\n')
    .filter((l) => !l.startsWith('Pane is dead'));

async function until(what: string, check: () => boolean, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('on a terminal (tmux, 80 columns)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is missing: install it (apt-get install -y tmux; .ci/run does) to run the terminal tests');
    // A first session keeps the private server up; every window stays once its command exits.
    tmux('new-session', '-d', '-s', 'keep', '-x', String(COLUMNS), '-y', '50', 'sleep', '3600');
    tmux('set-option', '-g', 'remain-on-exit', 'on');
    db = await createTestDatabase('terminal');
    expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    rmSync(logs, { recursive: true, force: true });
    await db?.drop();
  });

  it('Ctrl-C during a scale seed shows the cursor again and prints the interrupt line whole, on its own line', async () => {
    const name = start(['--url', db.url, 'seed', '--users', '300000', '--tasks-per-user', '20']);
    await until('the progress bar', () => /[█░]/.test(screen(name)));
    // The bar hides the cursor: what the interrupt must undo.
    expect(cursorShown(name)).toBe(false);
    const bar =
      screen(name)
        .split('\n')
        .find((l) => /[█░]/.test(l)) ?? '';
    expect(stringWidth(bar)).toBeLessThanOrEqual(COLUMNS);
    expect(bar).toMatch(/rows\/s · ETA/);
    tmux('send-keys', '-t', name, 'C-c');
    await until('the exit', () => exited(name));
    expect(exitCode(name)).toBe(130);
    expect(output(name)).toContain('todo-db: interrupted; the step in progress was rolled back (run the command again to continue)');
    // The last word on the cursor is "show" (tmux hides it in a dead pane, so the bytes tell).
    const bytes = raw(name);
    expect(bytes).toContain('\x1b[?25l');
    expect(bytes.lastIndexOf('\x1b[?25h')).toBeGreaterThan(bytes.lastIndexOf('\x1b[?25l'));
    expect(bytes.lastIndexOf('\x1b[?7h')).toBeGreaterThan(bytes.lastIndexOf('\x1b[?7l'));
  }, 150_000);

  it('health fits 80 columns: no line is wider, and every check is there', async () => {
    const name = start(['--url', db.url, 'health']);
    await until('the exit', () => exited(name));
    const lines = output(name);
    const wide = lines.filter((l) => stringWidth(l) > COLUMNS);
    expect(wide).toEqual([]);
    expect(lines.some((l) => /^ {2}ok {4}connection {2,}\d/.test(l))).toBe(true);
    expect(lines.some((l) => /^\d+ ok · \d+ warn · \d+ fail/.test(l))).toBe(true);
  }, 150_000);

  it('monitor indexes fits 80 columns, numbers right-aligned', async () => {
    const name = start(['--url', db.url, 'monitor', 'indexes']);
    await until('the exit', () => exited(name));
    const lines = output(name);
    expect(lines.filter((l) => stringWidth(l) > COLUMNS)).toEqual([]);
    // A fresh database: 0 scans, right-aligned under the header's last letter.
    const header = lines.find((l) => /table +index +scans/.test(l)) ?? '';
    const pkey = lines.find((l) => /^ {2}users +users_pkey/.test(l)) ?? '';
    const end = header.indexOf('scans') + 'scans'.length;
    expect(pkey.slice(end - 'scans'.length, end + 1)).toBe('    0 ');
  }, 150_000);
});
