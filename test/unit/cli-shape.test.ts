import { describe, expect, it } from 'vitest';
import { completionScript } from '../../src/cli/completion.js';
import { commandPath } from '../../src/cli/command.js';
import { COMMAND_HELP } from '../../src/cli/help-text.js';
import { leaves } from '../../src/cli/help.js';
import { buildProgram } from '../../src/cli/main.js';
import { formatBytes, listAnd, plural } from '../../src/text.js';

const program = () => buildProgram({ secrets: [], exitCode: 0, command: '', startedAt: 0 });

describe('the command tree', () => {
  it('every command has an example and its environment in its help', () => {
    const paths = leaves(program())
      .map(commandPath)
      .filter((p) => p !== 'help');
    expect(paths.filter((p) => !COMMAND_HELP[p])).toEqual([]);
    const up = leaves(program()).find((c) => commandPath(c) === 'migrate up')!;
    let help = '';
    up.configureOutput({ writeOut: (s) => (help += s) });
    up.outputHelp();
    expect(help).toContain('$ todo-db migrate up --to 0004');
    expect(help).toContain('DATABASE_URL_UNPOOLED');
    expect(help).toMatch(/Exit codes:\n {2}0 {2}done/);
    expect(help).toContain('--url <url>'); // the global options are shown too
  });

  it('completion scripts name every command path and its options', () => {
    const bash = completionScript(program(), 'bash');
    expect(bash).toMatch(/"migrate"\) echo "up latest down redo [^"]*status[^"]*make"/);
    expect(bash).toMatch(/"archive"\) words="[^"]*--completed-before/);
    expect(bash).toContain('complete -F _todo_db todo-db');
    expect(completionScript(program(), 'zsh')).toContain('compdef _todo_db todo-db');
    expect(completionScript(program(), 'fish')).toContain("complete -c todo-db -n '__fish_seen_subcommand_from rls' -a verify");
  });
});

describe('text helpers', () => {
  it('joins lists and counts in plain words', () => {
    expect([listAnd([]), listAnd(['a']), listAnd(['a', 'b']), listAnd(['a', 'b', 'c'])]).toEqual(['', 'a', 'a and b', 'a, b and c']);
    expect([plural(1, 'task'), plural(1200, 'task'), plural(2, 'batch', 'batches')]).toEqual(['1 task', '1,200 tasks', '2 batches']);
    expect([formatBytes(0), formatBytes(8192), formatBytes(1_300_000_000)]).toEqual(['0 B', '8.19 kB', '1.3 GB']);
  });
});
